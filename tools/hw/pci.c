/* SPDX-License-Identifier: MIT */
/*
 * Named devices on the PCI bus: the address syntax the tool accepts, the
 * check that a device is bound to vfio-pci, and binding it there when the
 * user asks for it (--bind).
 *
 * The tool only ever touches the devices the user named; the address is
 * validated strictly (DDDD:BB:DD.F, lower-case hex, the form sysfs uses) so
 * that no path can be built from it that leaves /sys/bus/pci/devices/<bdf>.
 * Binding follows the kernel's driver_override protocol: unbind from the
 * current driver, write "vfio-pci" to driver_override, write the address to
 * drivers_probe; it needs root, and nothing else in the tool does. Taking
 * a device from its driver is destructive, so a device is bound only when
 * the IOFD_HW_BIND_ALLOW allow-list (outside the command line, so that a
 * typo in -d cannot unbind the machine's own NIC) names it, and any
 * failure rolls back: driver_override cleared and the device given back to
 * the driver it had.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw.h"

/* Where the PCI bus is in sysfs; a test points it at a tree of its own. */
static const char *hw_pci_root = "/sys/bus/pci";

void hw_pci_set_root(const char *root)
{
	hw_pci_root = root;
}

bool hw_pci_bdf_valid(const char *s)
{
	/* 0000:00:03.0 */
	static const char shape[] = "xxxx:xx:xx.x";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'x') {
			if (!isxdigit((unsigned char)s[i]) ||
			    isupper((unsigned char)s[i]))
				return false;
		} else if (s[i] != shape[i]) {
			return false;
		}
	}
	/* Device 0-0x1f, function 0-7. */
	return strtoul(s + 8, NULL, 16) <= 0x1f && s[11] <= '7';
}

int hw_pci_driver(const char *bdf, char *buf, size_t cap)
{
	char path[HW_PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/devices/%s", hw_pci_root, bdf);
	if (access(path, F_OK) != 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/devices/%s/driver", hw_pci_root, bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, cap, "%s", base ? base + 1 : target);
	return 0;
}

/* Write @val to the sysfs attribute @path. */
static int hw_pci_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	/* O_TRUNC as a shell's '>': one write is one store either way. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/*
 * Whether the allow-list @allow (BDFs separated by blanks or commas) names
 * @bdf: 1 yes, 0 no, -EINVAL with *@bad set when an entry is no BDF.
 */
int hw_pci_allowed(const char *allow, const char *bdf, const char **bad)
{
	static char entry[HW_BDF_MAX + 1];
	const char *p = allow;
	int found = 0;
	size_t n;

	while (*p) {
		n = strcspn(p, " \t,");
		if (n) {
			snprintf(entry, sizeof(entry), "%.*s",
				 (int)(n < HW_BDF_MAX ? n : HW_BDF_MAX), p);
			if (n >= HW_BDF_MAX || !hw_pci_bdf_valid(entry)) {
				*bad = entry;
				return -EINVAL;
			}
			found |= strcmp(entry, bdf) == 0;
		}
		p += n;
		if (*p)
			p++;
	}
	return found;
}

/*
 * Undo a failed bind: clear driver_override and give the device back to
 * @orig ("" when it had no driver). Best effort: what fails is told.
 */
static void hw_pci_rollback(const char *bdf, const char *orig, FILE *log)
{
	char path[HW_PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/devices/%s/driver_override",
		 hw_pci_root, bdf);
	ret = hw_pci_write(path, "\n");
	if (ret < 0)
		fprintf(log, "iofd_hw: %s: cannot clear driver_override: %s\n",
			bdf, strerror(-ret));
	if (!orig[0])
		return;
	snprintf(path, sizeof(path), "%s/drivers/%s/bind", hw_pci_root, orig);
	ret = hw_pci_write(path, bdf);
	if (ret < 0)
		fprintf(log, "iofd_hw: %s: cannot give it back to %s: %s\n",
			bdf, orig, strerror(-ret));
	else
		fprintf(log, "iofd_hw: %s: given back to %s\n", bdf, orig);
}

int hw_pci_bind_vfio(const char *bdf, char *orig, size_t cap, FILE *log)
{
	char path[HW_PATH_MAX], drv[64];
	int ret;

	ret = hw_pci_driver(bdf, orig, cap);
	if (ret == 0 && strcmp(orig, "vfio-pci") == 0)
		return 0;
	if (ret < 0) {
		orig[0] = '\0';
		if (ret != -ENOENT)
			return ret;
	}
	if (ret == 0) {
		fprintf(log, "iofd_hw: %s: unbinding from %s\n", bdf, orig);
		snprintf(path, sizeof(path), "%s/devices/%s/driver/unbind",
			 hw_pci_root, bdf);
		ret = hw_pci_write(path, bdf);
		if (ret < 0)
			return ret;
	}
	snprintf(path, sizeof(path), "%s/devices/%s/driver_override",
		 hw_pci_root, bdf);
	ret = hw_pci_write(path, "vfio-pci");
	if (ret < 0)
		goto err_rollback;
	snprintf(path, sizeof(path), "%s/drivers_probe", hw_pci_root);
	ret = hw_pci_write(path, bdf);
	if (ret < 0)
		goto err_rollback;
	ret = hw_pci_driver(bdf, drv, sizeof(drv));
	if (ret == 0 && strcmp(drv, "vfio-pci") != 0)
		ret = -EBUSY;
	if (ret < 0)
		goto err_rollback;
	fprintf(log, "iofd_hw: %s: bound to vfio-pci\n", bdf);
	return 0;

err_rollback:
	hw_pci_rollback(bdf, orig, log);
	return ret;
}

void hw_pci_unbind_vfio(const char *bdf, const char *orig, FILE *log)
{
	char path[HW_PATH_MAX], drv[64];

	if (hw_pci_driver(bdf, drv, sizeof(drv)) == 0 &&
	    strcmp(drv, "vfio-pci") == 0) {
		snprintf(path, sizeof(path), "%s/devices/%s/driver/unbind",
			 hw_pci_root, bdf);
		if (hw_pci_write(path, bdf) < 0)
			fprintf(log, "iofd_hw: %s: cannot unbind it from vfio-pci\n",
				bdf);
	}
	hw_pci_rollback(bdf, orig, log);
}

static int hw_pci_read_hex(const char *bdf, const char *attr,
			   unsigned long *val)
{
	char path[HW_PATH_MAX], buf[32], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/devices/%s/%s", hw_pci_root, bdf,
		 attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	errno = 0;
	*val = strtoul(buf, &end, 16);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int hw_pci_ids(const char *bdf, uint16_t *vendor, uint16_t *device)
{
	unsigned long v = 0, d = 0;
	int ret;

	ret = hw_pci_read_hex(bdf, "vendor", &v);
	if (ret < 0)
		return ret;
	ret = hw_pci_read_hex(bdf, "device", &d);
	if (ret < 0)
		return ret;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}
