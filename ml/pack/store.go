package pack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/userfile"
)

// Store is the folder packs are installed in: $SLATE_HOME/models.
type Store struct {
	dir    string
	client *http.Client
}

// NewStore returns the store in dir (created when a pack is installed).
// Downloads use client, or http.DefaultClient when it is nil.
func NewStore(dir string, client *http.Client) *Store {
	if client == nil {
		client = http.DefaultClient
	}
	return &Store{dir: dir, client: client}
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

// Pack is an installed pack.
type Pack struct {
	// Dir is the pack's folder.
	Dir      string
	Manifest *Manifest
	// ManifestSHA256 names the manifest's bytes: two packs with the same
	// manifest hold the same files, so it identifies what renders.
	ManifestSHA256 string
}

// Path is the absolute path of one of the pack's files.
func (p *Pack) Path(file string) string { return filepath.Join(p.Dir, filepath.FromSlash(file)) }

// Info is what a list of installed packs shows: enough for a person to
// choose one, licence included.
type Info struct {
	Name, Family, Title, Licence, Source string
	// Size is the pack's size in bytes.
	Size int64
	Dir  string
	// Err is set for a folder in the store that is not a usable pack: its
	// manifest is missing or wrong. The other fields are then empty but
	// Name and Dir.
	Err error
}

// OpenDir opens the pack in dir: reads and checks its manifest, and that
// every file is there with its size. It does not hash the files (Verify
// does).
func OpenDir(dir string) (*Pack, error) {
	mpath := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(mpath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: it is not a model pack", dir, ManifestFile)
		}
		return nil, fmt.Errorf("open model pack: %w", err)
	}
	m, err := ParseManifest(mpath, data)
	if err != nil {
		return nil, err
	}
	p := &Pack{Dir: dir, Manifest: m, ManifestSHA256: sum(data)}
	for _, f := range m.Files {
		fi, err := os.Stat(p.Path(f.Path))
		switch {
		case err != nil:
			return nil, fmt.Errorf("model pack %s: %s is missing; reinstall the pack", m.Name, f.Path)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("model pack %s: %s is not a file; reinstall the pack", m.Name, f.Path)
		case fi.Size() != f.Size:
			return nil, fmt.Errorf("model pack %s: %s is %d bytes, and the manifest says %d; reinstall the pack", m.Name, f.Path, fi.Size(), f.Size)
		}
	}
	return p, nil
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Open opens the installed pack called name.
func (s *Store) Open(name string) (*Pack, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("%q is not a model pack name", name)
	}
	dir := filepath.Join(s.dir, name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no model pack %q is installed (in %s); `slate models list` shows those that are", name, s.dir)
	}
	p, err := OpenDir(dir)
	if err != nil {
		return nil, err
	}
	if p.Manifest.Name != name {
		return nil, fmt.Errorf("model pack folder %s holds a pack called %q; reinstall it", dir, p.Manifest.Name)
	}
	return p, nil
}

// List describes the installed packs, by name. Folders whose names start
// with '.' are the store's own temporary folders and are skipped.
func (s *Store) List() ([]Info, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list model packs: %w", err)
	}
	var out []Info
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(s.dir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, ManifestFile)); errors.Is(err, fs.ErrNotExist) {
			continue // another program's models (set-up's Silero VAD lives here too)
		}
		p, err := s.Open(e.Name())
		if err != nil {
			out = append(out, Info{Name: e.Name(), Dir: dir, Err: err})
			continue
		}
		m := p.Manifest
		out = append(out, Info{Name: m.Name, Family: m.Family, Title: m.Title, Licence: m.Licence, Source: m.Source, Size: m.Size(), Dir: dir})
	}
	return out, nil
}

// Progress reports an install or a verification: the file at work, and
// bytes done of the file and of the whole pack.
type Progress struct {
	// Manifest is the pack's, so a progress display can list its files.
	Manifest           *Manifest
	File               string
	Index, Count       int // the file's place, from 0, and how many there are
	FileDone, FileSize int64
	Done, Total        int64
}

// Verify hashes every file of the pack in dir against its manifest and
// reports every file that differs.
func Verify(ctx context.Context, p *Pack, progress func(Progress)) error {
	m := p.Manifest
	pr := Progress{Manifest: m, Count: len(m.Files), Total: m.Size()}
	var bad []string
	for i, f := range m.Files {
		pr.File, pr.Index, pr.FileDone, pr.FileSize = f.Path, i, 0, f.Size
		r, err := os.Open(p.Path(f.Path))
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", f.Path, errors.Unwrap(err)))
			continue
		}
		got, n, err := hashCopy(ctx, io.Discard, r, f.Size, &pr, progress)
		r.Close()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s: %v", f.Path, err))
		case n != f.Size:
			bad = append(bad, fmt.Sprintf("%s: %d bytes, the manifest says %d", f.Path, n, f.Size))
		case got != f.SHA256:
			bad = append(bad, fmt.Sprintf("%s: sha256 %s, the manifest says %s", f.Path, got, f.SHA256))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("model pack %s is damaged: %s; remove and reinstall it", m.Name, strings.Join(bad, "; "))
	}
	return nil
}

// hashCopy copies at most limit+1 bytes of r to w, hashing them, checking
// ctx and reporting progress between blocks. It returns the sha256 and
// the bytes copied; more than limit is an error, since the manifest said
// how big the file is.
func hashCopy(ctx context.Context, w io.Writer, r io.Reader, limit int64, pr *Progress, progress func(Progress)) (string, int64, error) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	lr := io.LimitReader(r, limit+1)
	for {
		if err := ctx.Err(); err != nil {
			return "", n, err
		}
		k, err := lr.Read(buf)
		if k > 0 {
			if n+int64(k) > limit {
				return "", n, fmt.Errorf("longer than the manifest's %d bytes", limit)
			}
			h.Write(buf[:k])
			if _, werr := w.Write(buf[:k]); werr != nil {
				return "", n, werr
			}
			n += int64(k)
			pr.FileDone += int64(k)
			pr.Done += int64(k)
			if progress != nil {
				progress(*pr)
			}
		}
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), n, nil
		}
		if err != nil {
			return "", n, err
		}
	}
}

// isURL reports whether src is an http or https address.
func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// source is where a pack is installed from: its manifest's bytes and a
// way to open each file.
type source struct {
	where    string
	manifest []byte
	open     func(ctx context.Context, file string) (io.ReadCloser, error)
}

// Install installs the pack at src: a folder holding manifest.json (or the
// manifest itself), or the http(s) address of a manifest.json (or of the
// folder holding it), whose files lie beside it. Each file's size and
// sha256 are checked as it is copied; the pack appears in the store only
// once all are, and an error or cancel leaves the store as it was. A pack
// of the same name must be removed first.
func (s *Store) Install(ctx context.Context, src string, progress func(Progress)) (*Pack, error) {
	var from *source
	var err error
	if isURL(src) {
		from, err = s.urlSource(ctx, src)
	} else {
		from, err = dirSource(src)
	}
	if err != nil {
		return nil, fmt.Errorf("install model pack from %s: %w", src, err)
	}
	m, err := ParseManifest(from.where, from.manifest)
	if err != nil {
		return nil, fmt.Errorf("install model pack: %w", err)
	}
	final := filepath.Join(s.dir, m.Name)
	if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("install model pack %s: it is already installed in %s; remove it first with `slate models remove %s`", m.Name, final, m.Name)
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("install model pack %s: %w", m.Name, err)
	}
	// A temporary folder in the store itself, so the last step is a
	// rename on one filesystem. Its name starts with '.', so List skips it.
	tmp, err := os.MkdirTemp(s.dir, ".install-"+m.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("install model pack %s: %w", m.Name, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	pr := Progress{Manifest: m, Count: len(m.Files), Total: m.Size()}
	for i, f := range m.Files {
		pr.File, pr.Index, pr.FileDone, pr.FileSize = f.Path, i, 0, f.Size
		if progress != nil {
			progress(pr)
		}
		if err := copyFile(ctx, from, f, filepath.Join(tmp, filepath.FromSlash(f.Path)), &pr, progress); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("install model pack %s: %s: %w", m.Name, f.Path, err)
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(tmp, ManifestFile), from.manifest, 0o644); err != nil {
		return nil, fmt.Errorf("install model pack %s: %w", m.Name, err)
	}
	if err := syncTree(tmp); err != nil {
		return nil, fmt.Errorf("install model pack %s: %w", m.Name, err)
	}
	// os.Rename would replace an empty folder made meanwhile; refuse it.
	if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("install model pack %s: another install of it finished first", m.Name)
	}
	if err := atomicfile.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("install model pack %s: %w", m.Name, err)
	}
	done = true
	return &Pack{Dir: final, Manifest: m, ManifestSHA256: sum(from.manifest)}, nil
}

// copyFile copies one file of the pack into place, checking it.
func copyFile(ctx context.Context, from *source, f File, dst string, pr *Progress, progress func(Progress)) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := from.open(ctx, f.Path)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	got, n, err := hashCopy(ctx, w, r, f.Size, pr, progress)
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case n != f.Size:
		return fmt.Errorf("%d bytes, and the manifest says %d", n, f.Size)
	case got != f.SHA256:
		return fmt.Errorf("sha256 %s, and the manifest says %s: the file is damaged or not the one the manifest lists", got, f.SHA256)
	}
	return nil
}

// syncTree syncs every folder under dir, so the names of the files just
// written survive a crash once the folder is renamed into place.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return atomicfile.SyncDir(p)
	})
}

func dirSource(src string) (*source, error) {
	dir := src
	if fi, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("no such folder or file")
	} else if !fi.IsDir() {
		if filepath.Base(src) != ManifestFile {
			return nil, fmt.Errorf("give a pack's folder, or its %s", ManifestFile)
		}
		dir = filepath.Dir(src)
	}
	mpath := filepath.Join(dir, ManifestFile)
	data, err := readLimited(mpath)
	if err != nil {
		return nil, err
	}
	return &source{where: mpath, manifest: data, open: func(_ context.Context, file string) (io.ReadCloser, error) {
		p := filepath.Join(dir, filepath.FromSlash(file))
		f, err := userfile.Open(p, "a model file")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("missing from %s", dir)
		}
		return f, err
	}}, nil
}

// readLimited reads a manifest a person points at: a regular file (never a
// named pipe or a device), and no more of it than a manifest may be.
func readLimited(path string) ([]byte, error) {
	f, err := userfile.Open(path, "a model pack manifest")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file: a model pack's folder holds a %s", path, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxManifest+1))
}

func (s *Store) urlSource(ctx context.Context, src string) (*source, error) {
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("not a usable address")
	}
	if !strings.HasSuffix(u.Path, "/"+ManifestFile) {
		u = u.JoinPath(ManifestFile)
	}
	base := *u
	base.Path = strings.TrimSuffix(u.Path, ManifestFile)
	base.RawPath = ""
	body, err := s.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return &source{where: u.String(), manifest: data, open: func(ctx context.Context, file string) (io.ReadCloser, error) {
		parts := strings.Split(file, "/")
		return s.get(ctx, base.JoinPath(parts...).String())
	}}, nil
}

func (s *Store) get(ctx context.Context, addr string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", addr, resp.Status)
	}
	return resp.Body, nil
}

// Remove uninstalls the pack called name. The pack disappears from the
// store at once (a rename) and its files are deleted after.
func (s *Store) Remove(name string) error {
	p, err := s.Open(name)
	if err != nil {
		// A damaged pack can still be removed, when the folder holds a
		// manifest (so it is one of ours).
		dir := filepath.Join(s.dir, name)
		if !ValidName(name) {
			return err
		}
		if _, serr := os.Stat(filepath.Join(dir, ManifestFile)); serr != nil {
			return err
		}
		p = &Pack{Dir: dir}
	}
	gone, err := os.MkdirTemp(s.dir, ".remove-"+name+"-")
	if err != nil {
		return fmt.Errorf("remove model pack %s: %w", name, err)
	}
	trash := filepath.Join(gone, name)
	if err := atomicfile.Rename(p.Dir, trash); err != nil {
		os.Remove(gone)
		return fmt.Errorf("remove model pack %s: %w", name, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove model pack %s: it is uninstalled, but deleting its files failed: %w", name, err)
	}
	return nil
}

// Names lists the installed packs that open, by name.
func (s *Store) Names() ([]string, error) {
	infos, err := s.List()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, in := range infos {
		if in.Err == nil {
			names = append(names, in.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}
