package capture

// #include <stdlib.h>
import "C"

import "unsafe"

// freeC frees memory that malgo allocated with C.CBytes, such as the copy
// of a device ID it hands miniaudio.
func freeC(p unsafe.Pointer) { C.free(p) }
