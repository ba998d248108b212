package ml

// libraryVersion cannot look inside a DLL before loading it on Windows;
// the version is checked once onnxruntime_go has loaded it.
func libraryVersion(path string) (string, error) { return "", nil }
