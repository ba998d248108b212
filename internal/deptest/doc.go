// Package deptest holds the test that keeps DESIGN.md's dependency rules
// true: which of Slate's packages may import which.
package deptest
