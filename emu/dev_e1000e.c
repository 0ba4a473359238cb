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

#include "dev_e1000e.h"
#include "devmodel.h"
#include "dma.h"
#include "machine.h"
#include "util.h"
#include "vfio_pci.h"

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

static int e_power_on(struct emu *emu, struct emu_dev *dev, void *state)
{
	struct e_state *s = state;
	uint16_t sum = 0;
	unsigned int i;
	void *regs;
	int rc;

	rc = emu_vregion_bar_mem(emu, dev, E_BAR_MMIO, &regs);
	if (rc)
		return rc;
	s->mac = regs;

	e_default_macaddr(dev, s->macaddr);
	memcpy(s->eeprom, emu_e1000e_eeprom_template, sizeof(s->eeprom));
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
	const struct e_reg *r = emu_e1000e_reg_find(off);
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
	unsigned int page = emu_e1000e_phy_caps[0][addr] & P_ANYPAGE ? 0 :
			    s->phy[0][P_PAGE];
	bool read = val & E_MDIC_OP_READ, write = val & E_MDIC_OP_WRITE;

	if ((val & E_MDIC_PHY_MASK) >> E_MDIC_PHY_SHIFT != 1) {
		val = REG(s, E_MDIC) | E_MDIC_ERROR;
	} else if (read || write) {
		unsigned int need = read ? P_R : P_W;

		if (page >= E_PHY_PAGES || !(emu_e1000e_phy_caps[page][addr] & need)) {
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
	const struct e_reg *r = emu_e1000e_reg_find(off);
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
		return e_reg_read(s, emu_e1000e_reg_offset(s->ioaddr));
	return 0;
}

static void e_io_write(struct emu *emu, struct emu_dev *dev,
		       struct e_state *s, uint64_t off, uint32_t val)
{
	if (off == 0)
		s->ioaddr = val;
	else if (off == 4 && s->ioaddr < 0x1ffff)
		e_reg_write(emu, dev, s, emu_e1000e_reg_offset(s->ioaddr), val);
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
		return e_reg_read(s, emu_e1000e_reg_offset(off));
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
		e_reg_write(emu, dev, s, emu_e1000e_reg_offset(off), val);
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
