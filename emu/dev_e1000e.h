/* SPDX-License-Identifier: MIT */
/*
 * The register map of QEMU 10's e1000e (82574L) that its device model
 * (dev_e1000e.c) and its tables (dev_e1000e_regs.c) share: register
 * offsets and bits, transmit descriptors, PHY registers, and each
 * register's read and write behaviour.
 */
#ifndef EMU_DEV_E1000E_H
#define EMU_DEV_E1000E_H

#include <stdint.h>

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

#define E_EEPROM_SUM 0xbaba

/* PHY access: read and write permission, and whether any page has it. */
#define P_R 1u
#define P_W 2u
#define P_ANYPAGE 4u

/* The register that BAR0 byte offset @off (of a register) is in, or NULL. */
const struct e_reg *emu_e1000e_reg_find(uint32_t off);
/* The register a BAR0 byte offset reaches: QEMU's index, then aliases. */
uint32_t emu_e1000e_reg_offset(uint64_t off);

extern const uint16_t emu_e1000e_eeprom_template[E_EEPROM_WORDS];
extern const uint8_t emu_e1000e_phy_caps[E_PHY_PAGES][E_PHY_REGS];

#endif /* EMU_DEV_E1000E_H */
