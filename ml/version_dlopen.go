//go:build !windows

package ml

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

// The start of OrtApiBase from onnxruntime_c_api.h. It is ABI-stable: every
// ONNX Runtime release keeps these two members first.
typedef struct {
	const void *(*GetApi)(unsigned int version);
	const char *(*GetVersionString)(void);
} slateOrtApiBase;

typedef const slateOrtApiBase *(*slateGetApiBase)(void);

// slate_ort_version writes the version of the ONNX Runtime library at path
// into buf. It returns 0 on success, 1 when dlopen fails (the reason in
// buf), 2 when the file has no OrtGetApiBase and 3 when that gives no
// version. The library stays loaded on success, for onnxruntime_go to
// open again.
static int slate_ort_version(const char *path, char *buf, size_t n) {
	dlerror();
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(buf, n, "%s", e ? e : "unknown error");
		return 1;
	}
	slateGetApiBase get = (slateGetApiBase) dlsym(h, "OrtGetApiBase");
	if (get == NULL) {
		dlclose(h);
		return 2;
	}
	const slateOrtApiBase *base = get();
	const char *v = (base && base->GetVersionString) ? base->GetVersionString() : NULL;
	if (v == NULL) {
		dlclose(h);
		return 3;
	}
	snprintf(buf, n, "%s", v);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// libraryVersion opens the library at path just far enough to ask its
// version, so a file that is not ONNX Runtime, or one too old for
// onnxruntime_go, gets a clear error instead of a failure inside it.
func libraryVersion(path string) (string, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var buf [512]C.char
	switch C.slate_ort_version(cpath, &buf[0], C.size_t(len(buf))) {
	case 0:
		return C.GoString(&buf[0]), nil
	case 1:
		return "", fmt.Errorf("load ONNX Runtime: %s is not a shared library this system can load (%s); %s", path, C.GoString(&buf[0]), fixHint)
	default:
		return "", fmt.Errorf("load ONNX Runtime: %s is a shared library, but not ONNX Runtime (it has no OrtGetApiBase); %s", path, fixHint)
	}
}
