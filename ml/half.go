package ml

import "math"

// IEEE 754 binary16 ("half") conversion. Models exported for GPUs often
// take and return float16 tensors; Slate computes in float32 and converts
// at the model's edge. Both directions are exact where the value fits:
// every half converts to the float32 of the same value, and a float32
// converts to the nearest half, ties to even, as ONNX Runtime's Cast does.

// HalfBits returns the IEEE half nearest to f, as its 16 bits: rounding is
// to nearest with ties to even; values beyond the largest half (65504)
// round to infinity, values too small for the smallest subnormal round to
// a signed zero, and NaN stays NaN (a quiet NaN keeping the top of its
// payload).
func HalfBits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff

	switch {
	case exp == 0xff: // infinity or NaN
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	case exp == 0 && mant == 0:
		return sign
	}

	// The value's exponent for a half: float32's bias is 127, half's 15.
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00 // too large: infinity
	}
	if e <= 0 {
		// A half subnormal (or zero): shift the mantissa, implicit one
		// included, right by the missing exponent, rounding what falls off.
		if e < -10 {
			return sign // below half the smallest subnormal
		}
		m := mant | 0x800000
		shift := uint32(14 - e) // 13 bits of mantissa difference, plus 1-e
		return sign | uint16(roundShift(m, shift))
	}
	// A normal half. Rounding may carry into the exponent, and from the
	// largest exponent into infinity: adding the rounded mantissa to the
	// exponent field does both.
	h := uint32(e)<<10 + roundShift(mant, 13)
	return sign | uint16(h)
}

// roundShift shifts m right by s bits, rounding to nearest, ties to even.
func roundShift(m, s uint32) uint32 {
	q := m >> s
	rem := m & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}

// HalfValue returns the float32 whose value is the half h.
func HalfValue(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		// Zero or subnormal: mant × 2^-24, exactly representable.
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// ToFloat16 converts fs to halves, into dst when it has room.
func ToFloat16(dst []uint16, fs []float32) []uint16 {
	if cap(dst) < len(fs) {
		dst = make([]uint16, len(fs))
	}
	dst = dst[:len(fs)]
	for i, f := range fs {
		dst[i] = HalfBits(f)
	}
	return dst
}

// FromFloat16 converts halves to float32s, into dst when it has room.
func FromFloat16(dst []float32, hs []uint16) []float32 {
	if cap(dst) < len(hs) {
		dst = make([]float32, len(hs))
	}
	dst = dst[:len(hs)]
	for i, h := range hs {
		dst[i] = HalfValue(h)
	}
	return dst
}
