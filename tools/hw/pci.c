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
 * drivers_probe; it needs root, and nothing else in the tool does.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw.h"

#define HW_PCI_DEVICES "/sys/bus/pci/devices"

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

	snprintf(path, sizeof(path), "%s/%s", HW_PCI_DEVICES, bdf);
	if (access(path, F_OK) != 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/%s/driver", HW_PCI_DEVICES, bdf);
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

	fd = open(path, O_WRONLY | O_CLOEXEC);
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

int hw_pci_bind_vfio(const char *bdf, FILE *log)
{
	char path[HW_PATH_MAX], drv[64];
	int ret;

	ret = hw_pci_driver(bdf, drv, sizeof(drv));
	if (ret == 0 && strcmp(drv, "vfio-pci") == 0)
		return 0;
	if (ret == 0) {
		fprintf(log, "iofd_hw: %s: unbinding from %s\n", bdf, drv);
		snprintf(path, sizeof(path), "%s/%s/driver/unbind",
			 HW_PCI_DEVICES, bdf);
		ret = hw_pci_write(path, bdf);
		if (ret < 0)
			return ret;
	} else if (ret != -ENOENT) {
		return ret;
	}
	snprintf(path, sizeof(path), "%s/%s/driver_override", HW_PCI_DEVICES,
		 bdf);
	ret = hw_pci_write(path, "vfio-pci");
	if (ret < 0)
		return ret;
	ret = hw_pci_write("/sys/bus/pci/drivers_probe", bdf);
	if (ret < 0)
		return ret;
	ret = hw_pci_driver(bdf, drv, sizeof(drv));
	if (ret < 0)
		return ret;
	if (strcmp(drv, "vfio-pci") != 0)
		return -EBUSY;
	fprintf(log, "iofd_hw: %s: bound to vfio-pci\n", bdf);
	return 0;
}

static int hw_pci_read_hex(const char *bdf, const char *attr,
			   unsigned long *val)
{
	char path[HW_PATH_MAX], buf[32], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", HW_PCI_DEVICES, bdf, attr);
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
