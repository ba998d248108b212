package ml

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is how much memory a provider's models can use now.
type Memory struct {
	// Free is the bytes free; meaningful only when Known.
	Free uint64
	// Known is false where Slate cannot tell (no /proc/meminfo, no NVIDIA
	// management library).
	Known bool
	// Where names the memory: "RAM" or "GPU 0 memory".
	Where string
	// Why says why it is unknown.
	Why string
}

// String is "24.0 GiB of RAM free" or "free RAM unknown (why)".
func (m Memory) String() string {
	if !m.Known {
		return fmt.Sprintf("free %s unknown (%s)", m.Where, m.Why)
	}
	return fmt.Sprintf("%s of %s free", GiB(m.Free), m.Where)
}

// GiB writes a byte count in gibibytes: "24.0 GiB".
func GiB(n uint64) string {
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// FreeMemory says how much memory models on provider can use: the GPU's
// free memory for CUDA, read through NVIDIA's management library (device
// 0, the one ONNX Runtime's CUDA provider uses by default), and the
// system's available RAM for every other provider. CoreML shares the
// system's memory.
func FreeMemory(provider string) Memory {
	if provider == CUDA {
		free, err := gpuFree(0)
		if err != nil {
			return Memory{Where: "GPU 0 memory", Why: err.Error()}
		}
		return Memory{Free: free, Known: true, Where: "GPU 0 memory"}
	}
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return Memory{Where: "RAM", Why: "this system has no /proc/meminfo"}
	}
	free, err := memAvailable(b)
	if err != nil {
		return Memory{Where: "RAM", Why: err.Error()}
	}
	return Memory{Free: free, Known: true, Where: "RAM"}
}

// memAvailable reads MemAvailable from /proc/meminfo: the kernel's own
// estimate of what can be allocated without swapping, page cache that can
// be dropped included, which MemFree leaves out.
func memAvailable(meminfo []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc/meminfo: MemAvailable line %q is not \"N kB\"", sc.Text())
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/meminfo: MemAvailable: %w", err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("/proc/meminfo has no MemAvailable (a kernel older than 3.14)")
}
