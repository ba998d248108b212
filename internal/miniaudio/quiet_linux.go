package miniaudio

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>

// quietHandler swallows ALSA's messages: while miniaudio probes for a
// device, ALSA prints a screenful of "ALSA lib pcm.c:…" lines to stderr
// for every configuration it cannot open, and the reason that matters
// comes back as an error anyway.
static void quietHandler(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

typedef void (*errorHandler)(const char *, int, const char *, int, const char *, ...);
typedef int (*setErrorHandler)(errorHandler);

// quietALSA loads the ALSA library miniaudio is about to load (dlopen
// gives both the same copy) and installs quietHandler. It returns the
// handle, or NULL where there is no ALSA.
static void *quietALSA(void) {
	void *h = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (h == NULL) {
		return NULL;
	}
	setErrorHandler set = (setErrorHandler)dlsym(h, "snd_lib_error_set_handler");
	if (set != NULL) {
		set(quietHandler);
	}
	return h;
}

static void releaseALSA(void *h) {
	if (h != NULL) {
		dlclose(h);
	}
}
*/
import "C"

import "unsafe"

// quiet holds the ALSA library open with its messages silenced, for as
// long as the device that asked for it.
type quiet struct{ h unsafe.Pointer }

// holdQuiet silences ALSA's messages on stderr while miniaudio probes for
// a device. ALSA is loaded at run time, not linked, so Slate still starts
// where it is not installed.
func holdQuiet() quiet { return quiet{C.quietALSA()} }

// release lets the library go once the device is closed.
func (q quiet) release() { C.releaseALSA(q.h) }
