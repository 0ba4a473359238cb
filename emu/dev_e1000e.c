// SPDX-License-Identifier: MIT
/*
 * QEMU 10's e1000e (82574L) as a driver sees it through vfio-pci: the
 * device model of the e1000e profiles (devmodel.h).
 *
 * BAR0 holds the registers (and BAR2 the I/O window onto them: IOADDR
 * selects a register, IODATA reads or writes it); BAR1, the flash, is an
 * empty window in QEMU (reads zero, writes go nowhere); BAR3's MSI-X
 * table is vfio-pci's (vfio_region.c). Each register has a
 * read behaviour and a write behaviour, as QEMU implements them: plain,
 * masked (descriptor bases to 16 bytes, lengths to 128, heads and tails
 * to 16 bits), read-to-clear statistics, computed (STATUS, TARC), or a
 * side effect (CTRL's software reset, EECD's read-only bits, EERD and
 * EEWR on the EEPROM, MDIC on the PHY, the interrupt cause and mask
 * registers, TDT and TCTL starting transmission). A register QEMU does
 * not know reads zero and ignores writes; so do reads of write-only
 * registers (IMC, TIDV, CTRL_DUP). QEMU's legacy alias offsets (0x0420
 * for TDBAL ...) reach the register they alias. Accesses narrower than
 * a register, or unaligned, are what QEMU's MMIO dispatch makes of them:
 * the whole register at the offset's register index, read and cut to the
 * low bytes, or written with the value zero-extended.
 *
 * Transmission is the DMA engine: writing TDT (or TCTL) with TCTL.EN and
 * TARC.ENABLE fetches each 16-byte descriptor from TDH up to TDT through
 * the IOMMU (a refused fetch reads zeros), fetches the packet data a
 * legacy or data descriptor points at (the packet goes nowhere: the model
 * has no network), writes the status word back with DD when RS asks for
 * it (or IVAR says every write-back), and advances TDH. Its interrupt
 * causes (TXQE, TXDW) go to ICR; no interrupt is delivered and none is
 * delayed (descriptors with IDE raise theirs at once, where QEMU waits
 * for TIDV/TADV).
 *
 * An mmap of BAR0 shows the register file as stored, and a store through
 * it changes a stored register with no side effect: no mask, no
 * transmission, no reset, no read-to-clear; computed registers (STATUS,
 * TARC) show their stored part. A region read or write is the device.
 *
 * Not modelled: receive (no packet ever arrives), statistics counters
 * (they stay zero), MSI-X (ICR reads clear it all, as without MSI-X),
 * autonegotiation (BMCR and OEM restart bits change nothing else), the
 * time-sync registers' clock (SYSTIML and the latched stamps read as
 * stored).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel.h"
#include "dma.h"
#include "machine.h"
#include "util.h"
#include "vfio_pci.h"

/* QEMU's BARs with registers behind them. */
#define E_BAR_MMIO		0
#define E_BAR_IO		2
#define E_NREGS			0x8000	/* 128 KiB of 32-bit registers */
#define E_EEPROM_WORDS		64
#define E_PHY_PAGES		7
#define E_PHY_REGS		32
#define E_MSIX_VECTORS		5
#define E_MIN_XITR		500

/* Register offsets (bytes) that the model's code names. */
enum {
	E_CTRL = 0x0000, E_CTRL_DUP = 0x0004, E_STATUS = 0x0008,
	E_EECD = 0x0010, E_EERD = 0x0014, E_CTRL_EXT = 0x0018,
	E_FLA = 0x001c, E_MDIC = 0x0020, E_VET = 0x0038,
	E_ICR = 0x00c0, E_ITR = 0x00c4, E_ICS = 0x00c8, E_IMS = 0x00d0,
	E_IMC = 0x00d8, E_IVAR = 0x00e4, E_EITR = 0x00e8,
	E_TCTL = 0x0400, E_TIPG = 0x0410, E_LEDCTL = 0x0e00,
	E_EXTCNF_CTRL = 0x0f00, E_POEMB = 0x0f10, E_PBA = 0x1000,
	E_PBS = 0x1008, E_EEMNGCTL = 0x1010, E_FLASHT = 0x1028,
	E_EEWR = 0x102c, E_FLSWCTL = 0x1030, E_FLOL = 0x1050,
	E_PSRCTL = 0x2170, E_RXDCTL = 0x2828, E_RXDCTL1 = 0x2928,
	E_TDFH = 0x3410, E_TDFT = 0x3418, E_TDFHS = 0x3420, E_TDFTS = 0x3428,
	E_TDBAL = 0x3800, E_TDBAH = 0x3804, E_TDLEN = 0x3808, E_TDH = 0x3810,
	E_TDT = 0x3818, E_TARC0 = 0x3840, E_TDBAL1 = 0x3900, E_TDT1 = 0x3918,
	E_TARC1 = 0x3940, E_RCTL = 0x0100, E_RXCSUM = 0x5000, E_RA = 0x5400,
	E_MANC = 0x5820, E_GCR = 0x5b00, E_FACTPS = 0x5b30, E_SWSM = 0x5b50,
	E_RXCFGL = 0xb634, E_RXUDP = 0xb638,
};

/* Bits the model acts on. */
#define E_CTRL_RST		0x04000000u
#define E_CTRL_PHY_RST		0x80000000u
#define E_CTRL_GIO_MASTER_DISABLE 0x00000004u
#define E_CTRL_FD		0x00000001u
#define E_CTRL_SLU		0x00000040u
#define E_CTRL_SPD_SEL		0x00000300u
#define E_CTRL_SPD_10		0x00000000u
#define E_CTRL_SPD_100		0x00000100u
#define E_CTRL_SPD_1000		0x00000200u
#define E_CTRL_FRCSPD		0x00000800u
#define E_CTRL_FRCDPX		0x00001000u
#define E_CTRL_SWDPIN0		0x00040000u
#define E_CTRL_SWDPIN2		0x00100000u
#define E_CTRL_EXT_ASDCHK	0x00001000u
#define E_CTRL_EXT_EE_RST	0x00002000u
#define E_CTRL_EXT_SPD_BYPS	0x00008000u
#define E_CTRL_EXT_IAME		0x08000000u
#define E_STATUS_FD		0x00000001u
#define E_STATUS_LU		0x00000002u
#define E_STATUS_SPEED_10	0x00000000u
#define E_STATUS_SPEED_100	0x00000040u
#define E_STATUS_SPEED_1000	0x00000080u
#define E_STATUS_ASDV_1000	0x00000200u
#define E_STATUS_PHYRA		0x00000400u
#define E_STATUS_GIO_MASTER_ENABLE 0x00080000u
#define E_EECD_PRES		0x00000100u
#define E_EECD_AUTO_RD		0x00000200u
#define E_EECD_SIZE_EX_MASK	0x00007800u
#define E_EERW_START		0x1u
#define E_EERW_DONE		0x2u
#define E_EERW_ADDR_SHIFT	2
#define E_EERW_ADDR_MASK	0x3fffu
#define E_EERW_DATA_SHIFT	16
#define E_ICR_TXDW		0x00000001u
#define E_ICR_TXQE		0x00000002u
#define E_ICR_LSC		0x00000004u
#define E_ICR_RXDMT0		0x00000010u
#define E_ICR_RXO		0x00000040u
#define E_ICR_RXT0		0x00000080u
#define E_ICR_MDAC		0x00000200u
#define E_ICR_TXD_LOW		0x00008000u
#define E_ICR_SRPD		0x00010000u
#define E_ICR_ACK		0x00020000u
#define E_ICR_MNG		0x00040000u
#define E_ICR_RXQ0		0x00100000u
#define E_ICR_RXQ1		0x00200000u
#define E_ICR_TXQ0		0x00400000u
#define E_ICR_TXQ1		0x00800000u
#define E_ICR_OTHER		0x01000000u
#define E_ICR_ASSERTED		0x80000000u
#define E_ICR_OTHER_CAUSES	(E_ICR_LSC | E_ICR_RXO | E_ICR_MDAC | \
				 E_ICR_SRPD | E_ICR_ACK | E_ICR_MNG)
#define E_IMS_VALID		(E_ICR_TXDW | E_ICR_TXQE | E_ICR_LSC | \
				 E_ICR_RXDMT0 | E_ICR_RXO | E_ICR_RXT0 | \
				 E_ICR_MDAC | E_ICR_TXD_LOW | E_ICR_SRPD | \
				 E_ICR_ACK | E_ICR_MNG | E_ICR_RXQ0 | \
				 E_ICR_RXQ1 | E_ICR_TXQ0 | E_ICR_TXQ1 | \
				 E_ICR_OTHER)
#define E_MDIC_DATA_MASK	0x0000ffffu
#define E_MDIC_REG_MASK		0x001f0000u
#define E_MDIC_REG_SHIFT	16
#define E_MDIC_PHY_MASK		0x03e00000u
#define E_MDIC_PHY_SHIFT	21
#define E_MDIC_OP_WRITE		0x04000000u
#define E_MDIC_OP_READ		0x08000000u
#define E_MDIC_READY		0x10000000u
#define E_MDIC_INT_EN		0x20000000u
#define E_MDIC_ERROR		0x40000000u
#define E_TCTL_EN		0x00000002u
#define E_TARC_ENABLE		0x00000400u
#define E_TARC_READ_MASK	(0x7ffu | 0x78000000u)
#define E_IVAR_TX_INT_EVERY_WB	0x80000000u
#define E_GCR_RO_BITS		(1u << 23 | 1u << 25 | 1u << 26)
#define E_RCTL_DTYP_MASK	0x00000c00u
#define E_PSRCTL_BSIZE0_MASK	0x0000007fu
#define E_PSRCTL_BSIZE1_MASK	0x00003f00u
#define E_SWSM_SMBI		0x00000001u
#define E_RAH_AV		0x80000000u
#define E_MANC_DIS_IP_CHK_ARP	0x10000000u
#define E_FACTPS_LAN0_ON	0x00000004u
#define E_RXCSUM_IPOFLD		0x00000100u
#define E_RXCSUM_TUOFLD		0x00000200u
#define E_L0S_ADJUST		(1u << 9)
#define E_L1_ENTRY_LATENCY_MSB	(1u << 23)
#define E_L1_ENTRY_LATENCY_LSB	(1u << 25 | 1u << 26)

/* Transmit descriptors. */
#define E_TXD_LEN_MASK		0x0000ffffu
#define E_TXD_CMD_EOP		0x01000000u
#define E_TXD_CMD_RS		0x08000000u
#define E_TXD_CMD_DEXT		0x20000000u
#define E_TXD_DTYP_D		0x00100000u
#define E_TXD_STAT_DD		0x00000001u
#define E_DESC_LEN		16

/* PHY registers and bits. */
#define P_BMCR			0x00
#define P_BMSR			0x01
#define P_PHYID1		0x02
#define P_PHYID2		0x03
#define P_ANAR			0x04
#define P_ANLPAR		0x05
#define P_ANER			0x06
#define P_ANNP			0x07
#define P_ANLPRNP		0x08
#define P_CTRL1000		0x09
#define P_STAT1000		0x0a
#define P_EXTSTAT		0x0f
#define P_COPPER_CTRL1		0x10
#define P_COPPER_STAT1		0x11
#define P_COPPER_INT_ENABLE	0x12
#define P_COPPER_STAT2		0x13
#define P_COPPER_CTRL3		0x14
#define P_RX_ERR_CNTR		0x15
#define P_PAGE			0x16
#define P_OEM_BITS		0x19
#define P_COPPER_CTRL2		0x1a
#define P_BIAS_1		0x1d
#define P_BIAS_2		0x1e
#define P_BMCR_SELF_CLEAR	(0x3fu | 0x8000u | 0x0200u)
#define P_OEM_ANRESTART		0x0400u
#define P_PAGE_RW_MASK		0x7fu

enum e_rd {
	RD_NONE,		/* reads zero */
	RD_PLAIN,
	RD_CLR4,		/* read, then zero */
	RD_CLR8,		/* high half of a pair: zero both */
	RD_STATUS,
	RD_ICR,
	RD_TARC,
	RD_ITR,
	RD_EITR,
	RD_SWSM,
};

enum e_wr {
	WR_NONE,		/* ignored */
	WR_PLAIN,
	WR_MASK,		/* store val & mask */
	WR_CTRL,
	WR_STATUS,
	WR_EECD,
	WR_EERD,
	WR_EEWR,
	WR_CTRL_EXT,
	WR_MDIC,
	WR_ICR,
	WR_ICS,
	WR_IMS,
	WR_IMC,
	WR_TDT,
	WR_TCTL,
	WR_ITR,
	WR_EITR,
	WR_GCR,
	WR_PSRCTL,
	WR_RXDCTL,
};

struct e_reg {
	uint32_t off;
	uint16_t count;		/* consecutive registers alike */
	uint8_t rd;
	uint8_t wr;
	uint32_t mask;		/* WR_MASK */
};

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
static const uint16_t e_eeprom_template[E_EEPROM_WORDS] = {
	0x0000, 0x0000, 0x0000, 0x0420, 0xf746, 0x2010, 0xffff, 0xffff,
	0x0000, 0x0000, 0x026b, 0x0000, 0x8086, 0x0000, 0x0000, 0x8058,
	0x0000, 0x2001, 0x7e7c, 0xffff, 0x1000, 0x00c8, 0x0000, 0x2704,
	0x6cc9, 0x3150, 0x070e, 0x460b, 0x2d84, 0x0100, 0xf000, 0x0706,
	0x6000, 0x0080, 0x0f04, 0x7fff, 0x4f01, 0xc600, 0x0000, 0x20ff,
	0x0028, 0x0003, 0x0000, 0x0000, 0x0000, 0x0003, 0x0000, 0xffff,
	0x0100, 0xc000, 0x121c, 0xc007, 0xffff, 0xffff, 0xffff, 0xffff,
	0xffff, 0xffff, 0xffff, 0xffff, 0x0000, 0x0120, 0xffff, 0x0000,
};
#define E_EEPROM_SUM 0xbaba

/* PHY access: read and write permission, and whether any page has it. */
#define P_R 1u
#define P_W 2u
#define P_ANYPAGE 4u

static const uint8_t e_phy_caps[E_PHY_PAGES][E_PHY_REGS] = {
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

struct e_state {
	/*
	 * The register file, at the registers' own offsets: the BAR0 bytes
	 * vfio-pci keeps for the device (emu_vregion_bar_mem), so an mmap
	 * of BAR0 reads the registers as stored.
	 */
	uint32_t *mac;
	uint16_t eeprom[E_EEPROM_WORDS];
	uint16_t phy[E_PHY_PAGES][E_PHY_REGS];
	uint32_t ioaddr;
	uint32_t itr_guest;
	uint32_t eitr_guest[E_MSIX_VECTORS];
	uint8_t macaddr[6];
};

#define REG(s, off) ((s)->mac[(off) / 4])

static const struct e_reg *e_reg_find(uint32_t off)
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

/* The register a BAR0 byte offset reaches: QEMU's index, then aliases. */
static uint32_t e_reg_offset(uint64_t off)
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

/* The MAC address QEMU gives its Nth NIC without one set: ...:56 + N. */
static void e_default_macaddr(const struct emu_dev *dev, uint8_t *mac)
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memcpy(mac, base, sizeof(base));
	mac[5] = (uint8_t)(base[5] + dev->index);
}

static void e_phy_reset(struct e_state *s)
{
	memset(s->phy, 0, sizeof(s->phy));
	s->phy[0][P_BMCR] = 0x1140;	/* 1000 Mb/s, full duplex, autoneg */
	s->phy[0][P_BMSR] = 0x794d;
	s->phy[0][P_PHYID1] = 0x0141;
	s->phy[0][P_PHYID2] = 0x0cb1;	/* 82574 */
	s->phy[0][P_ANAR] = 0x0de1;
	s->phy[0][P_ANLPAR] = 0x07e0;
	s->phy[0][P_ANER] = 0x0005;
	s->phy[0][P_ANNP] = 0x2001;
	s->phy[0][P_CTRL1000] = 0x0f00;
	s->phy[0][P_STAT1000] = 0x3c00;
	s->phy[0][P_EXTSTAT] = 0x3000;
	s->phy[0][P_COPPER_CTRL1] = 0x3360;
	s->phy[0][P_COPPER_STAT1] = 0xac08;
	s->phy[2][0x10] = 0x0088;
	s->phy[2][0x15] = 0x1046;
	s->phy[3][0x12] = 0x4005;
}

/*
 * QEMU's e1000e_reset: the register defaults (a software reset keeps PBA,
 * PBS and FLA), the PHY, the MAC address into RA[0].
 */
static void e_reset(struct e_state *s, bool sw)
{
	uint32_t keep_pba = REG(s, E_PBA), keep_pbs = REG(s, E_PBS);
	uint32_t keep_fla = REG(s, E_FLA);
	unsigned int i;

	memset(s->mac, 0, E_NREGS * sizeof(*s->mac));
	REG(s, E_PBA) = 0x00140014;
	REG(s, E_LEDCTL) = 1u << 1 | 1u << 8 | 1u << 9 | 1u << 15 | 1u << 17 |
			   1u << 18;
	REG(s, E_EXTCNF_CTRL) = 1u << 3;
	REG(s, E_EEMNGCTL) = 1u << 31;
	REG(s, E_FLASHT) = 0x2;
	REG(s, E_FLSWCTL) = 1u << 30 | 1u << 31;
	REG(s, E_FLOL) = 1u << 0;
	REG(s, E_RXDCTL) = 1u << 16;
	REG(s, E_RXDCTL1) = 1u << 16;
	REG(s, E_TIPG) = 0x8 | 0x8 << 10 | 0x6 << 20;
	REG(s, E_RXCFGL) = 0x88f7;
	REG(s, E_RXUDP) = 0x319;
	REG(s, E_CTRL) = E_CTRL_FD | E_CTRL_SWDPIN2 | E_CTRL_SWDPIN0 |
			 E_CTRL_SPD_1000 | E_CTRL_SLU;
	REG(s, E_STATUS) = E_STATUS_ASDV_1000 | E_STATUS_LU;
	REG(s, E_PSRCTL) = 2u | 4u << 8 | 4u << 16;
	REG(s, E_TARC0) = 0x3 | E_TARC_ENABLE;
	REG(s, E_TARC1) = 0x3 | E_TARC_ENABLE;
	REG(s, E_EECD) = E_EECD_AUTO_RD | E_EECD_PRES;
	REG(s, E_EERD) = E_EERW_DONE;
	REG(s, E_EEWR) = E_EERW_DONE;
	REG(s, E_GCR) = E_L0S_ADJUST | E_L1_ENTRY_LATENCY_MSB |
			E_L1_ENTRY_LATENCY_LSB;
	REG(s, E_TDFH) = 0x600;
	REG(s, E_TDFT) = 0x600;
	REG(s, E_TDFHS) = 0x600;
	REG(s, E_TDFTS) = 0x600;
	REG(s, E_POEMB) = 0x30d;
	REG(s, E_PBS) = 0x028;
	REG(s, E_MANC) = E_MANC_DIS_IP_CHK_ARP;
	REG(s, E_FACTPS) = E_FACTPS_LAN0_ON | 0x20000000;
	REG(s, E_SWSM) = 1;
	REG(s, E_RXCSUM) = E_RXCSUM_IPOFLD | E_RXCSUM_TUOFLD;
	REG(s, E_ITR) = E_MIN_XITR;
	for (i = 0; i < E_MSIX_VECTORS; i++)
		REG(s, E_EITR + 4 * i) = E_MIN_XITR;
	if (sw) {
		REG(s, E_PBA) = keep_pba;
		REG(s, E_PBS) = keep_pbs;
		REG(s, E_FLA) = keep_fla;
	}
	e_phy_reset(s);
	REG(s, E_RA) = s->macaddr[0] | s->macaddr[1] << 8 |
		       s->macaddr[2] << 16 | (uint32_t)s->macaddr[3] << 24;
	REG(s, E_RA + 4) = E_RAH_AV | s->macaddr[4] | s->macaddr[5] << 8;
}

static int e_power_on(struct emu_dev *dev, void *state)
{
	struct e_state *s = state;
	uint16_t sum = 0;
	unsigned int i;
	void *regs;
	int rc;

	rc = emu_vregion_bar_mem(dev, E_BAR_MMIO, &regs);
	if (rc)
		return rc;
	s->mac = regs;

	e_default_macaddr(dev, s->macaddr);
	memcpy(s->eeprom, e_eeprom_template, sizeof(s->eeprom));
	for (i = 0; i < 3; i++)
		s->eeprom[i] = s->macaddr[2 * i] | s->macaddr[2 * i + 1] << 8;
	s->eeprom[11] = dev->profile->device;
	s->eeprom[13] = dev->profile->device;
	for (i = 0; i < E_EEPROM_WORDS - 1; i++)
		sum += s->eeprom[i];
	s->eeprom[E_EEPROM_WORDS - 1] = (uint16_t)(E_EEPROM_SUM - sum);
	e_reset(s, false);
	/* The machine's reset (not the software one) sets VET. */
	REG(s, E_VET) = 0x8100;
	return 0;
}

/* ICR and its mirror ICS; ASSERTED says whether any cause is set. */
static void e_raise(struct e_state *s, uint32_t reg, uint32_t causes)
{
	REG(s, reg) |= causes;
	REG(s, E_ICR) &= ~E_ICR_ASSERTED;
	if (REG(s, E_ICR))
		REG(s, E_ICR) |= E_ICR_ASSERTED;
	REG(s, E_ICS) = REG(s, E_ICR);
}

static void e_lower(struct e_state *s, uint32_t reg, uint32_t causes)
{
	REG(s, reg) &= ~causes;
	REG(s, E_ICS) = REG(s, E_ICR);
}

static uint32_t e_status(const struct e_state *s)
{
	uint32_t res = REG(s, E_STATUS), ctrl = REG(s, E_CTRL);

	if (!(ctrl & E_CTRL_GIO_MASTER_DISABLE))
		res |= E_STATUS_GIO_MASTER_ENABLE;
	if (ctrl & E_CTRL_FRCDPX)
		res |= ctrl & E_CTRL_FD ? E_STATUS_FD : 0;
	else
		res |= E_STATUS_FD;
	if ((ctrl & E_CTRL_FRCSPD) ||
	    (REG(s, E_CTRL_EXT) & E_CTRL_EXT_SPD_BYPS)) {
		switch (ctrl & E_CTRL_SPD_SEL) {
		case E_CTRL_SPD_10:
			res |= E_STATUS_SPEED_10;
			break;
		case E_CTRL_SPD_100:
			res |= E_STATUS_SPEED_100;
			break;
		default:
			res |= E_STATUS_SPEED_1000;
			break;
		}
	} else {
		res |= E_STATUS_SPEED_1000;
	}
	return res;
}

static uint32_t e_reg_read(struct e_state *s, uint32_t off)
{
	const struct e_reg *r = e_reg_find(off);
	uint32_t v;

	if (!r)
		return 0;
	switch ((enum e_rd)r->rd) {
	case RD_NONE:
		return 0;
	case RD_PLAIN:
		return REG(s, off);
	case RD_CLR4:
		v = REG(s, off);
		REG(s, off) = 0;
		return v;
	case RD_CLR8:
		v = REG(s, off);
		REG(s, off) = 0;
		REG(s, off - 4) = 0;
		return v;
	case RD_STATUS:
		return e_status(s);
	case RD_ICR:
		/* Without MSI-X a read clears every cause. */
		v = REG(s, E_ICR);
		e_lower(s, E_ICR, 0xffffffffu);
		return v;
	case RD_TARC:
		return REG(s, off) & E_TARC_READ_MASK;
	case RD_ITR:
		return s->itr_guest;
	case RD_EITR:
		return s->eitr_guest[(off - E_EITR) / 4];
	case RD_SWSM:
		v = REG(s, off);
		REG(s, off) = v | E_SWSM_SMBI;
		return v;
	}
	return 0;
}

static void e_mdic(struct emu *emu, struct e_state *s, uint32_t val)
{
	uint32_t data = val & E_MDIC_DATA_MASK;
	uint32_t addr = (val & E_MDIC_REG_MASK) >> E_MDIC_REG_SHIFT;
	unsigned int page = e_phy_caps[0][addr] & P_ANYPAGE ? 0 :
			    s->phy[0][P_PAGE];
	bool read = val & E_MDIC_OP_READ, write = val & E_MDIC_OP_WRITE;

	if ((val & E_MDIC_PHY_MASK) >> E_MDIC_PHY_SHIFT != 1) {
		val = REG(s, E_MDIC) | E_MDIC_ERROR;
	} else if (read || write) {
		unsigned int need = read ? P_R : P_W;

		if (page >= E_PHY_PAGES || !(e_phy_caps[page][addr] & need)) {
			val |= E_MDIC_ERROR;
		} else if (read) {
			val = (val ^ data) | s->phy[page][addr];
		} else if (page == 0 && addr == P_BMCR) {
			s->phy[0][P_BMCR] = (uint16_t)(data & ~P_BMCR_SELF_CLEAR);
		} else if (page == 0 && addr == P_PAGE) {
			s->phy[0][P_PAGE] = (uint16_t)(data & P_PAGE_RW_MASK);
		} else if (page == 0 && addr == P_OEM_BITS) {
			s->phy[0][P_OEM_BITS] = (uint16_t)(data &
							   ~P_OEM_ANRESTART);
		} else {
			s->phy[page][addr] = (uint16_t)data;
		}
	}
	REG(s, E_MDIC) = val | E_MDIC_READY;
	if (val & E_MDIC_INT_EN)
		e_raise(s, E_ICR, E_ICR_MDAC);
	(void)emu;
}

/* EERD/EEWR: read or write an EEPROM word, the result in EERD. */
static void e_eeprom_rw(struct e_state *s, uint32_t val, bool write)
{
	uint32_t addr = (val >> E_EERW_ADDR_SHIFT) & E_EERW_ADDR_MASK;
	uint32_t data = write ? val >> E_EERW_DATA_SHIFT : 0, flags = 0;

	if (addr < E_EEPROM_WORDS && (val & E_EERW_START)) {
		if (write)
			s->eeprom[addr] = (uint16_t)data;
		else
			data = s->eeprom[addr];
		flags = E_EERW_DONE;
	}
	REG(s, E_EERD) = flags | addr << E_EERW_ADDR_SHIFT |
			 data << E_EERW_DATA_SHIFT;
}

static void e_start_xmit(struct emu *emu, struct emu_dev *dev,
			 struct e_state *s, unsigned int q);

static void e_reg_write(struct emu *emu, struct emu_dev *dev,
			struct e_state *s, uint32_t off, uint32_t val)
{
	const struct e_reg *r = e_reg_find(off);
	uint32_t ro;

	if (!r)
		return;
	switch ((enum e_wr)r->wr) {
	case WR_NONE:
		break;
	case WR_PLAIN:
		REG(s, off) = val;
		break;
	case WR_MASK:
		REG(s, off) = val & r->mask;
		break;
	case WR_CTRL:
		REG(s, E_CTRL) = val & ~E_CTRL_RST;
		REG(s, E_CTRL_DUP) = REG(s, E_CTRL);
		if (val & E_CTRL_RST)
			e_reset(s, true);
		if (val & E_CTRL_PHY_RST)
			REG(s, E_STATUS) |= E_STATUS_PHYRA;
		break;
	case WR_STATUS:
		if (!(val & E_STATUS_PHYRA))
			REG(s, E_STATUS) &= ~E_STATUS_PHYRA;
		break;
	case WR_EECD:
		ro = E_EECD_PRES | E_EECD_AUTO_RD | E_EECD_SIZE_EX_MASK;
		REG(s, E_EECD) = (REG(s, E_EECD) & ro) | (val & ~ro);
		break;
	case WR_EERD:
	case WR_EEWR:
		e_eeprom_rw(s, val, r->wr == WR_EEWR);
		break;
	case WR_CTRL_EXT:
		REG(s, E_CTRL_EXT) = val & ~(E_CTRL_EXT_ASDCHK |
					     E_CTRL_EXT_EE_RST);
		break;
	case WR_MDIC:
		e_mdic(emu, s, val);
		break;
	case WR_ICR:
		if ((REG(s, E_ICR) & E_ICR_ASSERTED) &&
		    (REG(s, E_CTRL_EXT) & E_CTRL_EXT_IAME))
			e_lower(s, E_IMS, REG(s, 0x00e0));
		if (val & E_ICR_OTHER)
			val |= E_ICR_OTHER_CAUSES;
		e_lower(s, E_ICR, val);
		break;
	case WR_ICS:
		e_raise(s, E_ICR, val);
		break;
	case WR_IMS:
		e_raise(s, E_IMS, val & E_IMS_VALID);
		break;
	case WR_IMC:
		e_lower(s, E_IMS, val);
		break;
	case WR_TDT:
		REG(s, off) = val & 0xffff;
		if (REG(s, off == E_TDT ? E_TARC0 : E_TARC1) & E_TARC_ENABLE)
			e_start_xmit(emu, dev, s, off == E_TDT ? 0 : 1);
		break;
	case WR_TCTL:
		REG(s, E_TCTL) = val;
		if (REG(s, E_TARC0) & E_TARC_ENABLE)
			e_start_xmit(emu, dev, s, 0);
		if (REG(s, E_TARC1) & E_TARC_ENABLE)
			e_start_xmit(emu, dev, s, 1);
		break;
	case WR_ITR:
		s->itr_guest = val & 0xffff;
		REG(s, off) = s->itr_guest > E_MIN_XITR ? s->itr_guest :
							  E_MIN_XITR;
		break;
	case WR_EITR:
		s->eitr_guest[(off - E_EITR) / 4] = val & 0xffff;
		REG(s, off) = (val & 0xffff) > E_MIN_XITR ? val & 0xffff :
							    E_MIN_XITR;
		break;
	case WR_GCR:
		ro = REG(s, E_GCR) & E_GCR_RO_BITS;
		REG(s, E_GCR) = (val & ~E_GCR_RO_BITS) | ro;
		break;
	case WR_PSRCTL:
		if ((REG(s, E_RCTL) & E_RCTL_DTYP_MASK) &&
		    (!(val & E_PSRCTL_BSIZE0_MASK) ||
		     !(val & E_PSRCTL_BSIZE1_MASK)))
			break;
		REG(s, E_PSRCTL) = val;
		break;
	case WR_RXDCTL:
		REG(s, E_RXDCTL) = val;
		REG(s, E_RXDCTL1) = val;
		break;
	}
}

/* A DMA read of the device: zeros where the IOMMU or the bus refused. */
static void e_dma_read(struct emu *emu, struct emu_dev *dev, uint64_t iova,
		       void *buf, size_t len)
{
	size_t done;

	if (emu_dma_dev(emu, dev, iova, buf, len, false, &done))
		memset((uint8_t *)buf + done, 0, len - done);
}

/*
 * Transmit queue @q: fetch and process descriptors from TDH to TDT (a
 * tail past the ring's end means the ring is empty), then raise the
 * causes. The packet data is fetched for a legacy or data descriptor;
 * a context descriptor carries none.
 */
static void e_start_xmit(struct emu *emu, struct emu_dev *dev,
			 struct e_state *s, unsigned int q)
{
	uint32_t base = q ? E_TDBAL1 : E_TDBAL, cause = E_ICR_TXQE;
	uint32_t *tdh = &REG(s, base + 0x10), tdt = REG(s, base + 0x18);
	uint32_t len = REG(s, base + 0x8);
	uint8_t data[256];
	size_t done;

	if (!(REG(s, E_TCTL) & E_TCTL_EN))
		return;
	while (*tdh != tdt && tdt < len / E_DESC_LEN) {
		uint64_t at = ((uint64_t)REG(s, base + 0x4) << 32) +
			      REG(s, base) + (uint64_t)E_DESC_LEN * *tdh;
		uint32_t d[4], lower, dtype, upper;
		uint64_t addr;

		e_dma_read(emu, dev, at, d, sizeof(d));
		addr = d[0] | (uint64_t)d[1] << 32;
		lower = d[2];
		dtype = lower & (E_TXD_CMD_DEXT | E_TXD_DTYP_D);
		if (dtype != E_TXD_CMD_DEXT && (lower & E_TXD_LEN_MASK)) {
			/* The first page decides whether the data can be had. */
			size_t n = lower & E_TXD_LEN_MASK;

			emu_dma_dev(emu, dev, addr, data,
				    n < sizeof(data) ? n : sizeof(data), false,
				    &done);
		}
		if ((lower & E_TXD_CMD_RS) ||
		    (REG(s, E_IVAR) & E_IVAR_TX_INT_EVERY_WB)) {
			upper = d[3] | E_TXD_STAT_DD;
			emu_dma_dev(emu, dev, at + 12, &upper, sizeof(upper),
				    true, &done);
			cause |= E_ICR_TXDW;
		}
		if (++*tdh * E_DESC_LEN >= len)
			*tdh = 0;
	}
	e_raise(s, E_ICR, cause);
}

/* The I/O window: IOADDR at 0, IODATA at 4, nothing else. */
static uint32_t e_io_read(struct e_state *s, uint64_t off)
{
	if (off == 0)
		return s->ioaddr;
	if (off == 4 && s->ioaddr < 0x1ffff)
		return e_reg_read(s, e_reg_offset(s->ioaddr));
	return 0;
}

static void e_io_write(struct emu *emu, struct emu_dev *dev,
		       struct e_state *s, uint64_t off, uint32_t val)
{
	if (off == 0)
		s->ioaddr = val;
	else if (off == 4 && s->ioaddr < 0x1ffff)
		e_reg_write(emu, dev, s, e_reg_offset(s->ioaddr), val);
}

static uint32_t e_read(struct emu *emu, struct emu_dev *dev, void *state,
		       unsigned int bar, uint64_t off, unsigned int size)
{
	struct e_state *s = state;

	(void)emu;
	(void)dev;
	(void)size;
	if (bar == E_BAR_IO)
		return e_io_read(s, off);
	if (bar == E_BAR_MMIO)
		return e_reg_read(s, e_reg_offset(off));
	return 0;
}

static void e_write(struct emu *emu, struct emu_dev *dev, void *state,
		    unsigned int bar, uint64_t off, unsigned int size,
		    uint32_t val)
{
	struct e_state *s = state;

	(void)size;
	if (bar == E_BAR_IO)
		e_io_write(emu, dev, s, off, val);
	else if (bar == E_BAR_MMIO)
		e_reg_write(emu, dev, s, e_reg_offset(off), val);
}

static const struct emu_devmodel e_model = {
	.state_size = sizeof(struct e_state),
	.power_on = e_power_on,
	.read = e_read,
	.write = e_write,
};

ssize_t emu_e1000e_bar_rw(struct emu *emu, struct emu_dev *dev,
			  unsigned int bar, uint64_t pos, void *kbuf,
			  size_t count, bool write)
{
	return emu_devmodel_rw(emu, dev, &e_model, bar, pos, kbuf, count,
			       write);
}
