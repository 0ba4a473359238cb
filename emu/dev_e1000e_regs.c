// SPDX-License-Identifier: MIT
/*
 * The tables of QEMU 10's e1000e that its device model (dev_e1000e.c)
 * reads: every register QEMU knows with its read and write behaviour,
 * QEMU's legacy alias offsets, the EEPROM image before the per-device
 * words are filled in, and which PHY registers each page reads and
 * writes.
 */
#include <stddef.h>

#include "dev_e1000e.h"
#include "util.h"

#define R(o, r, w) { o, 1, RD_##r, WR_##w, 0 }
#define M(o, r, m) { o, 1, RD_##r, WR_MASK, m }
#define N(o, n, r, w) { o, n, RD_##r, WR_##w, 0 }
#define NM(o, n, r, m) { o, n, RD_##r, WR_MASK, m }
#define DBAL_MASK 0xfffffff0u
#define DLEN_MASK 0x000fff80u

/* Every register QEMU's e1000e knows, by offset. */
static const struct e_reg e_regs[] = {
	R(E_CTRL, PLAIN, CTRL), R(E_CTRL_DUP, NONE, CTRL),
	R(E_STATUS, STATUS, STATUS), R(E_EECD, PLAIN, EECD),
	R(E_EERD, PLAIN, EERD), R(E_CTRL_EXT, PLAIN, CTRL_EXT),
	R(E_FLA, PLAIN, PLAIN), R(E_MDIC, PLAIN, MDIC),
	R(0x0028, PLAIN, PLAIN), M(0x002c, PLAIN, 0xffff),
	M(0x0030, PLAIN, 0xffff), M(E_VET, PLAIN, 0xffff),
	R(E_ICR, ICR, ICR), R(E_ITR, ITR, ITR), R(E_ICS, PLAIN, ICS),
	R(E_IMS, PLAIN, IMS), R(E_IMC, NONE, IMC), R(0x00dc, PLAIN, PLAIN),
	R(0x00e0, PLAIN, PLAIN), R(E_IVAR, PLAIN, PLAIN),
	N(E_EITR, E_MSIX_VECTORS, EITR, EITR), R(E_RCTL, PLAIN, PLAIN),
	M(0x0170, PLAIN, 0xffff), R(E_TCTL, PLAIN, TCTL),
	R(E_TIPG, PLAIN, PLAIN), M(0x0458, PLAIN, 0xffff),
	R(E_LEDCTL, PLAIN, PLAIN), R(E_EXTCNF_CTRL, PLAIN, PLAIN),
	R(0x0f08, PLAIN, PLAIN), R(E_POEMB, PLAIN, PLAIN),
	R(E_PBA, PLAIN, PLAIN), M(E_PBS, PLAIN, 0x3f),
	R(E_EEMNGCTL, PLAIN, PLAIN), N(0x1014, 4, PLAIN, NONE),
	M(E_FLASHT, PLAIN, 0xffff), R(E_EEWR, PLAIN, EEWR),
	N(E_FLSWCTL, 4, PLAIN, PLAIN), R(E_FLOL, PLAIN, PLAIN),
	M(0x2160, PLAIN, 0x8000fff8), M(0x2168, PLAIN, 0xfff8),
	R(E_PSRCTL, PLAIN, PSRCTL), M(0x2410, PLAIN, 0x1fff),
	M(0x2418, PLAIN, 0x1fff), M(0x2420, PLAIN, 0x1fff),
	M(0x2428, PLAIN, 0x1fff), M(0x2430, PLAIN, 0x1fff),
	/* Receive queues 0 and 1 (their descriptors are never fetched). */
	M(0x2800, PLAIN, DBAL_MASK), R(0x2804, PLAIN, PLAIN),
	M(0x2808, PLAIN, DLEN_MASK), M(0x2810, PLAIN, 0xffff),
	M(0x2818, PLAIN, 0xffff), M(0x2820, PLAIN, 0xffff),
	R(E_RXDCTL, PLAIN, RXDCTL), M(0x282c, PLAIN, 0xffff),
	M(0x2900, PLAIN, DBAL_MASK), R(0x2904, PLAIN, PLAIN),
	M(0x2908, PLAIN, DLEN_MASK), M(0x2910, PLAIN, 0xffff),
	M(0x2918, PLAIN, 0xffff), R(E_RXDCTL1, PLAIN, PLAIN),
	M(0x2c00, PLAIN, 0xfff), M(0x2c08, PLAIN, 0xffff),
	M(E_TDFH, PLAIN, 0x1fff), M(E_TDFT, PLAIN, 0x1fff),
	M(E_TDFHS, PLAIN, 0x1fff), M(E_TDFTS, PLAIN, 0x1fff),
	M(0x3430, PLAIN, 0x1fff),
	/* Transmit queues 0 and 1. */
	M(E_TDBAL, PLAIN, DBAL_MASK), R(E_TDBAH, PLAIN, PLAIN),
	M(E_TDLEN, PLAIN, DLEN_MASK), M(E_TDH, PLAIN, 0xffff),
	R(E_TDT, PLAIN, TDT), M(0x3820, NONE, 0xffff),
	R(0x3828, PLAIN, PLAIN), M(0x382c, PLAIN, 0xffff),
	R(E_TARC0, TARC, PLAIN),
	M(E_TDBAL1, PLAIN, DBAL_MASK), R(0x3904, PLAIN, PLAIN),
	M(0x3908, PLAIN, DLEN_MASK), M(0x3910, PLAIN, 0xffff),
	R(E_TDT1, PLAIN, TDT), R(0x3928, PLAIN, PLAIN),
	R(E_TARC1, TARC, PLAIN),
	/* Statistics. */
	N(0x4000, 5, PLAIN, NONE), N(0x4014, 4, PLAIN, NONE),
	N(0x4028, 1, PLAIN, NONE), N(0x4030, 5, PLAIN, NONE),
	N(0x4048, 4, PLAIN, NONE), R(0x4058, PLAIN, PLAIN),
	N(0x405c, 10, CLR4, NONE), R(0x4088, PLAIN, NONE),
	R(0x408c, CLR8, NONE), R(0x4090, PLAIN, NONE), R(0x4094, CLR8, NONE),
	R(0x40a0, PLAIN, NONE), R(0x40a4, CLR4, NONE), R(0x40a8, PLAIN, NONE),
	R(0x40ac, CLR4, NONE), N(0x40b0, 5, PLAIN, NONE),
	R(0x40c4, CLR8, NONE), R(0x40c8, PLAIN, NONE), R(0x40cc, CLR8, NONE),
	N(0x40d0, 11, CLR4, NONE), R(0x40fc, PLAIN, NONE),
	R(0x4100, CLR4, NONE),
	/* Receive filters, addresses, tables. */
	R(E_RXCSUM, PLAIN, PLAIN), R(0x5008, PLAIN, PLAIN),
	N(0x5010, 4, PLAIN, PLAIN), N(0x5200, 128, PLAIN, PLAIN),
	N(E_RA, 32, PLAIN, PLAIN), N(0x5600, 128, PLAIN, PLAIN),
	R(0x5800, PLAIN, PLAIN), R(0x5808, PLAIN, PLAIN),
	R(0x5810, PLAIN, PLAIN), R(0x5818, PLAIN, PLAIN),
	R(E_MANC, PLAIN, PLAIN), R(0x5824, PLAIN, PLAIN),
	R(0x5828, PLAIN, PLAIN), R(0x5830, PLAIN, PLAIN),
	R(0x5838, PLAIN, PLAIN),
	N(0x5840, 7, PLAIN, PLAIN), R(0x5860, PLAIN, PLAIN),
	N(0x5880, 12, PLAIN, PLAIN), N(0x5a00, 32, PLAIN, PLAIN),
	R(E_GCR, PLAIN, GCR), R(0x5b08, PLAIN, PLAIN),
	N(0x5b10, 9, PLAIN, PLAIN), R(E_SWSM, SWSM, PLAIN),
	R(0x5b64, PLAIN, PLAIN), M(0x5b68, PLAIN, 0x1f),
	N(0x5c00, 64, PLAIN, PLAIN), NM(0x5f00, 11, PLAIN, 0x7ff),
	M(0x5f40, PLAIN, 0xffff), NM(0x9000, 255, PLAIN, 0xf),
	N(0x9400, 255, PLAIN, PLAIN), N(0x9800, 255, PLAIN, PLAIN),
	/* Time sync (no clock: as stored). */
	N(0xb600, 15, PLAIN, PLAIN),
	/* Packet buffer memory. */
	N(0x10000, 10240, PLAIN, PLAIN),
};

/* QEMU's legacy alias offsets: [from, from + 4 * count) reach @to. */
static const struct {
	uint32_t from;
	uint32_t to;
	uint16_t count;
} e_aliases[] = {
	{ 0x0040, E_RA, 32 }, { 0x0108, 0x2820, 1 }, { 0x0110, 0x2800, 3 },
	{ 0x0120, 0x2810, 1 }, { 0x0128, 0x2818, 1 }, { 0x0160, 0x2168, 1 },
	{ 0x0168, 0x2160, 1 }, { 0x0420, E_TDBAL, 3 }, { 0x0430, E_TDH, 1 },
	{ 0x0438, E_TDT, 1 }, { 0x0440, 0x3820, 1 }, { 0x0600, 0x5600, 128 },
	{ 0x8000, 0x2410, 1 }, { 0x8008, 0x2418, 1 }, { 0x8010, E_TDFH, 1 },
	{ 0x8018, E_TDFT, 1 },
};

/*
 * The EEPROM image QEMU gives its e1000e, before the MAC address (words
 * 0-2), the device id (words 11 and 13) and the checksum (word 63) are
 * filled in.
 */
const uint16_t emu_e1000e_eeprom_template[E_EEPROM_WORDS] = {
	0x0000, 0x0000, 0x0000, 0x0420, 0xf746, 0x2010, 0xffff, 0xffff,
	0x0000, 0x0000, 0x026b, 0x0000, 0x8086, 0x0000, 0x0000, 0x8058,
	0x0000, 0x2001, 0x7e7c, 0xffff, 0x1000, 0x00c8, 0x0000, 0x2704,
	0x6cc9, 0x3150, 0x070e, 0x460b, 0x2d84, 0x0100, 0xf000, 0x0706,
	0x6000, 0x0080, 0x0f04, 0x7fff, 0x4f01, 0xc600, 0x0000, 0x20ff,
	0x0028, 0x0003, 0x0000, 0x0000, 0x0000, 0x0003, 0x0000, 0xffff,
	0x0100, 0xc000, 0x121c, 0xc007, 0xffff, 0xffff, 0xffff, 0xffff,
	0xffff, 0xffff, 0xffff, 0xffff, 0x0000, 0x0120, 0xffff, 0x0000,
};

const uint8_t emu_e1000e_phy_caps[E_PHY_PAGES][E_PHY_REGS] = {
	[0] = {
		[P_BMCR] = P_ANYPAGE | P_R | P_W,
		[P_BMSR] = P_ANYPAGE | P_R,
		[P_PHYID1] = P_ANYPAGE | P_R,
		[P_PHYID2] = P_ANYPAGE | P_R,
		[P_ANAR] = P_ANYPAGE | P_R | P_W,
		[P_ANLPAR] = P_ANYPAGE | P_R,
		[P_ANER] = P_ANYPAGE | P_R,
		[P_ANNP] = P_ANYPAGE | P_R | P_W,
		[P_ANLPRNP] = P_ANYPAGE | P_R,
		[P_CTRL1000] = P_ANYPAGE | P_R | P_W,
		[P_STAT1000] = P_ANYPAGE | P_R,
		[P_EXTSTAT] = P_ANYPAGE | P_R,
		[P_PAGE] = P_ANYPAGE | P_R | P_W,
		[P_COPPER_CTRL1] = P_R | P_W,
		[P_COPPER_STAT1] = P_R,
		[P_COPPER_CTRL3] = P_R | P_W,
		[P_RX_ERR_CNTR] = P_R,
		[P_OEM_BITS] = P_R | P_W,
		[P_BIAS_1] = P_R | P_W,
		[P_BIAS_2] = P_R | P_W,
		[P_COPPER_INT_ENABLE] = P_R | P_W,
		[P_COPPER_STAT2] = P_R,
		[P_COPPER_CTRL2] = P_R | P_W,
	},
	[2] = {
		[0x10] = P_R | P_W, [0x12] = P_R | P_W, [0x13] = P_R,
		[0x15] = P_R | P_W,
	},
	[3] = {
		[0x10] = P_R | P_W, [0x11] = P_R | P_W, [0x12] = P_R | P_W,
		[0x13] = P_R | P_W,
	},
	[5] = { [0x14] = P_R, [0x15] = P_R },
	[6] = { [0x10] = P_R },
};

const struct e_reg *emu_e1000e_reg_find(uint32_t off)
{
	size_t lo = 0, hi = EMU_ARRAY_SIZE(e_regs);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct e_reg *r = &e_regs[mid];

		if (off < r->off)
			hi = mid;
		else if (off >= r->off + 4u * r->count)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

uint32_t emu_e1000e_reg_offset(uint64_t off)
{
	uint32_t reg = (uint32_t)(off & 0x1ffff) & ~3u;
	size_t i;

	for (i = 0; i < EMU_ARRAY_SIZE(e_aliases); i++) {
		if (reg >= e_aliases[i].from &&
		    reg < e_aliases[i].from + 4u * e_aliases[i].count)
			return e_aliases[i].to + (reg - e_aliases[i].from);
	}
	return reg;
}
