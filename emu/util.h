/* SPDX-License-Identifier: MIT */
/*
 * Small arithmetic helpers shared by the emulator's modules: the kernel's
 * offsetofend, page constants of the modelled machine (x86-64, 4 KiB pages,
 * 2 MiB THP) and overflow-checked alignment. Nothing here has state.
 */
#ifndef EMU_UTIL_H
#define EMU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define emu_offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

#define EMU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The modelled kernel: 64-bit, 4 KiB pages, and with THP (a machine
 * variant) 2 MiB huge pages.
 */
#define EMU_PAGE_SIZE 4096ULL
#define EMU_HPAGE_SIZE (2ULL << 20)

struct emu;

/* The largest automatic IOVA alignment: HPAGE_SIZE, or PAGE_SIZE. */
uint64_t emu_auto_align_cap(const struct emu *emu);

/* Number of PAGE_SIZE pages touched by [va, va + length), length > 0. */
static inline uint64_t emu_pages_spanned(uint64_t va, uint64_t length)
{
	return ((va + length - 1) / EMU_PAGE_SIZE) - (va / EMU_PAGE_SIZE) + 1;
}

/*
 * Round @v up to a multiple of the power of two @align; false when the
 * result does not fit in 64 bits.
 */
static inline int emu_align_up(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t sum;

	if (__builtin_add_overflow(v, align - 1, &sum))
		return 0;
	*out = sum & ~(align - 1);
	return 1;
}

/* Smallest power of two >= @v, for 0 < v <= 2^63. */
static inline uint64_t emu_roundup_pow2(uint64_t v)
{
	if (v <= 1)
		return 1;
	return 1ULL << (64 - __builtin_clzll(v - 1));
}

#endif /* EMU_UTIL_H */
