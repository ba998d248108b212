// Package deptest holds the tests that keep DESIGN.md's dependency rules
// true: which of Slate's packages may import which. It also holds
// STYLE.md's plumbing rules: a context is passed, never kept in a struct;
// context.Background only in main and tests; time told through
// internal/clock. And it holds each package's own code (tests, test
// helpers and generated files aside) to at most 3,000 lines.
package deptest
