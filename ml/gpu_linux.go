//go:build linux && cgo

package ml

/*
#include <dlfcn.h>

// The part of NVIDIA's management library (NVML, in the driver since
// 2011) that reads a GPU's memory. Opened at run time like ONNX Runtime,
// so Slate runs on machines without an NVIDIA driver.
typedef struct { unsigned long long total, free, used; } slateNvmlMemory;
typedef int (*slateNvmlInit)(void);
typedef int (*slateNvmlShutdown)(void);
typedef int (*slateNvmlHandle)(unsigned int, void **);
typedef int (*slateNvmlMemoryInfo)(void *, slateNvmlMemory *);

// slate_gpu_free writes device's free memory into free. It returns 0 on
// success, 1 when the library cannot be opened, 2 when it lacks a
// function, and 100 + NVML's error code when a call fails.
static int slate_gpu_free(unsigned int device, unsigned long long *free) {
	void *h = dlopen("libnvidia-ml.so.1", RTLD_LAZY | RTLD_LOCAL);
	if (h == NULL) return 1;
	slateNvmlInit init = (slateNvmlInit) dlsym(h, "nvmlInit_v2");
	slateNvmlShutdown shutdown = (slateNvmlShutdown) dlsym(h, "nvmlShutdown");
	slateNvmlHandle handle = (slateNvmlHandle) dlsym(h, "nvmlDeviceGetHandleByIndex_v2");
	slateNvmlMemoryInfo info = (slateNvmlMemoryInfo) dlsym(h, "nvmlDeviceGetMemoryInfo");
	if (!init || !shutdown || !handle || !info) { dlclose(h); return 2; }
	int rc = init();
	if (rc != 0) { dlclose(h); return 100 + rc; }
	void *dev = NULL;
	slateNvmlMemory mem;
	rc = handle(device, &dev);
	if (rc == 0) rc = info(dev, &mem);
	shutdown();
	dlclose(h);
	if (rc != 0) return 100 + rc;
	*free = mem.free;
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
)

// gpuFree asks NVIDIA's management library for a GPU's free memory.
func gpuFree(device int) (uint64, error) {
	var free C.ulonglong
	switch rc := C.slate_gpu_free(C.uint(device), &free); {
	case rc == 0:
		return uint64(free), nil
	case rc == 1:
		return 0, errors.New("no NVIDIA management library (libnvidia-ml.so.1) to ask")
	case rc == 2:
		return 0, errors.New("the NVIDIA management library lacks the calls Slate uses")
	default:
		return 0, fmt.Errorf("the NVIDIA management library failed with code %d", rc-100)
	}
}
