package deptest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// notYetSwitched are the files that still break a plumbing rule, each
// waiting for its package to take the shared plumbing. Take a file off
// once it keeps the rules: the test fails while it lists a file that no
// longer needs to be here.
var notYetSwitched = map[string]string{}

// plumbingFaults lists where the files of p break the plumbing rules of
// STYLE.md: a context is passed, never kept in a struct;
// context.Background (or TODO) is called only in a program's main and in
// tests (test helper packages, named …test, count as tests); and time is
// told through internal/clock, not through a Clock interface or a Now
// func of a package's own.
func plumbingFaults(fset *token.FileSet, path string, f *ast.File) []string {
	var out []string
	at := func(n ast.Node, what string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+what)
	}
	testHelper := strings.HasSuffix(filepath.Base(filepath.Dir(path)), "test")
	inClock := under(filepath.ToSlash(filepath.Dir(path)), "internal/clock")
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if f.Name.Name == "main" && n.Name.Name == "main" && n.Recv == nil || testHelper {
				return false // main and test helpers may start from Background
			}
		case *ast.CallExpr:
			if isSel(n.Fun, "context", "Background") || isSel(n.Fun, "context", "TODO") {
				at(n, "context.Background outside main and tests; take the caller's context")
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.StructType:
			for _, fld := range n.Fields.List {
				if isSel(fld.Type, "context", "Context") {
					at(fld, "a context.Context kept in a struct; pass it to each call instead")
				}
				if ft, ok := fld.Type.(*ast.FuncType); ok && !inClock && returnsTime(ft) && (ft.Params == nil || len(ft.Params.List) == 0) {
					at(fld, "a func() time.Time field; take a clock.Clock (internal/clock)")
				}
			}
		case *ast.InterfaceType:
			if inClock {
				return true
			}
			for _, m := range n.Methods.List {
				ft, ok := m.Type.(*ast.FuncType)
				if ok && slices.ContainsFunc(m.Names, func(id *ast.Ident) bool { return id.Name == "Now" }) && returnsTime(ft) {
					at(m, "a clock interface of its own; use clock.Clock (internal/clock)")
				}
			}
		}
		return true
	})
	return out
}

func isSel(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && sel.Sel.Name == name
}

func returnsTime(ft *ast.FuncType) bool {
	return ft.Results != nil && len(ft.Results.List) == 1 && isSel(ft.Results.List[0].Type, "time", "Time")
}

func TestPlumbingRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, p := range listPackages(t) {
		for _, name := range append(slices.Clone(p.GoFiles), p.CgoFiles...) {
			file := filepath.Join(p.Dir, name)
			rel, err := filepath.Rel(root, file)
			if err != nil {
				t.Fatal(err)
			}
			rel = filepath.ToSlash(rel)
			f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			faults := plumbingFaults(fset, rel, f)
			if _, ok := notYetSwitched[rel]; ok {
				seen[rel] = len(faults) > 0
				continue
			}
			for _, msg := range faults {
				t.Error(strings.TrimPrefix(msg, root+string(filepath.Separator)))
			}
		}
	}
	for file, why := range notYetSwitched {
		if !seen[file] {
			t.Errorf("%s keeps the plumbing rules now (it was listed for %s); take it off notYetSwitched", file, why)
		}
	}
}

// notPlumbing are the packages under internal/ that are not plumbing:
// the slate command's code, and these tests.
var notPlumbing = []string{"internal/cli", "internal/deptest"}

// plumbingImports lists the imports by which internal/'s plumbing reaches
// above itself: plumbing is for everyone above it, and imports nothing of
// Slate's but other plumbing.
func plumbingImports(pkgs []pkg) []string {
	isPlumbing := func(path string) bool {
		return under(path, "internal") && !slices.ContainsFunc(notPlumbing, func(n string) bool { return under(path, n) })
	}
	var out []string
	for _, p := range pkgs {
		if path := rel(p.ImportPath); isPlumbing(path) {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, module+"/") && !isPlumbing(rel(imp)) {
					out = append(out, path+" imports "+rel(imp)+"; plumbing imports only other plumbing")
				}
			}
		}
	}
	return out
}

func TestPlumbingImportsOnlyPlumbing(t *testing.T) {
	pkgs := listPackages(t)
	for _, v := range plumbingImports(pkgs) {
		t.Error(v)
	}
	bad := []pkg{
		{ImportPath: module + "/internal/clock", Imports: []string{module + "/timeline"}},
		{ImportPath: module + "/internal/sqlitedb", Imports: []string{module + "/internal/cli"}},
		{ImportPath: module + "/internal/cli", Imports: []string{module + "/library"}},
		{ImportPath: module + "/internal/clock/clocktest", Imports: []string{module + "/internal/clock"}},
	}
	if v := plumbingImports(bad); len(v) != 2 {
		t.Errorf("plumbingImports = %q; want 2 (clock→timeline, sqlitedb→cli)", v)
	}
}

// The rules must bite: each kind of fault is caught, and main and tests
// are let be.
func TestPlumbingRulesCatchFaults(t *testing.T) {
	src := map[string]string{
		"render/bad.go": `package render
import ("context"; "time")
type job struct { ctx context.Context; now func() time.Time }
type Clock interface { Now() time.Time }
func start() { _ = context.Background(); _ = context.TODO() }`,
		"cmd/tool/main.go": `package main
import "context"
func main() { _ = context.Background() }
func helper() { _ = context.Background() }`,
		"render/rendertest/suite.go": `package rendertest
import "context"
func Run() { _ = context.Background() }`,
		"internal/clock/clock.go": `package clock
import "time"
type Clock interface { Now() time.Time }`,
	}
	want := map[string]int{"render/bad.go": 5, "cmd/tool/main.go": 1, "render/rendertest/suite.go": 0, "internal/clock/clock.go": 0}
	fset := token.NewFileSet()
	for path, code := range src {
		f, err := parser.ParseFile(fset, path, code, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if got := plumbingFaults(fset, path, f); len(got) != want[path] {
			t.Errorf("%s: faults %q; want %d", path, got, want[path])
		}
	}
}
