// SPDX-License-Identifier: MIT
/*
 * --bind's pieces on a sysfs tree of the test's own (hw_pci_set_root):
 * the allow-list takes full addresses separated by blanks or commas and
 * names a bad entry; a device already on vfio-pci is left alone; giving a
 * device back clears driver_override and binds the driver it had; a bind
 * that fails at any step (driver_override refused, the probe refused, the
 * probe leaving another driver) rolls back the same way. The tree's files
 * only record what was written: the test reads them after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hw.h"

#define TEST(fn) { #fn, fn }
#define BDF "0000:00:03.0"

static char root[64];

static void t_write(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(content, f);
	CHECK(fclose(f) == 0);
}

/* The content of @rel, NUL-terminated, in a static buffer. */
static const char *t_read(const char *rel)
{
	static char buf[128];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void t_mkdir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(mkdir(path, 0755) == 0);
}

/* A bus with one e1000e on driver @drv, every attribute empty. */
static void t_tree(const char *drv)
{
	char target[128], link[256];

	snprintf(root, sizeof(root), "/tmp/iofd-pci-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	t_mkdir("devices");
	t_mkdir("devices/" BDF);
	t_mkdir("drivers");
	t_mkdir("drivers/e1000e");
	t_mkdir("drivers/vfio-pci");
	t_write("devices/" BDF "/vendor", "0x8086\n");
	t_write("devices/" BDF "/device", "0x10d3\n");
	t_write("devices/" BDF "/driver_override", "");
	t_write("drivers/e1000e/bind", "");
	t_write("drivers/e1000e/unbind", "");
	t_write("drivers/vfio-pci/unbind", "");
	t_write("drivers_probe", "");
	snprintf(target, sizeof(target), "../../drivers/%s", drv);
	snprintf(link, sizeof(link), "%s/devices/" BDF "/driver", root);
	CHECK(symlink(target, link) == 0);
	hw_pci_set_root(root);
}

static void t_tree_gone(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
}

static void allow_list(void)
{
	const char *bad = NULL;

	CHECK_EQ(hw_pci_allowed(BDF, BDF, &bad), 1);
	CHECK_EQ(hw_pci_allowed("0000:00:04.0, " BDF "\t", BDF, &bad), 1);
	CHECK_EQ(hw_pci_allowed("0000:00:04.0", BDF, &bad), 0);
	CHECK_EQ(hw_pci_allowed("", BDF, &bad), 0);
	CHECK_ERR(EINVAL, hw_pci_allowed("0000:00:04.0 00:03.0", BDF, &bad));
	CHECK(!strcmp(bad, "00:03.0"));
	CHECK_ERR(EINVAL, hw_pci_allowed("0000:00:03.0x", BDF, &bad));
}

static void bind_and_unbind(void)
{
	char orig[64];

	t_tree("vfio-pci");
	CHECK_OK(hw_pci_bind_vfio(BDF, orig, sizeof(orig), stderr));
	CHECK(!strcmp(orig, "vfio-pci"));
	CHECK(!strcmp(t_read("devices/" BDF "/driver_override"), ""));
	CHECK(!strcmp(t_read("drivers_probe"), ""));
	hw_pci_unbind_vfio(BDF, "e1000e", stderr);
	CHECK(!strcmp(t_read("drivers/vfio-pci/unbind"), BDF));
	CHECK(!strcmp(t_read("devices/" BDF "/driver_override"), "\n"));
	CHECK(!strcmp(t_read("drivers/e1000e/bind"), BDF));
	t_tree_gone();
}

static void rollback_on_failed_override(void)
{
	char orig[64];
	char path[256];

	t_tree("e1000e");
	snprintf(path, sizeof(path), "%s/devices/" BDF "/driver_override", root);
	CHECK(unlink(path) == 0);
	t_mkdir("devices/" BDF "/driver_override");
	CHECK_ERR(EISDIR, hw_pci_bind_vfio(BDF, orig, sizeof(orig), stderr));
	CHECK(!strcmp(orig, "e1000e"));
	CHECK(!strcmp(t_read("drivers/e1000e/unbind"), BDF));
	CHECK(!strcmp(t_read("drivers/e1000e/bind"), BDF));
	CHECK(!strcmp(t_read("drivers_probe"), ""));
	t_tree_gone();
}

static void rollback_on_failed_probe(void)
{
	char orig[64];
	char path[256];

	/* The probe runs but the device stays with another driver. */
	t_tree("e1000e");
	CHECK_ERR(EBUSY, hw_pci_bind_vfio(BDF, orig, sizeof(orig), stderr));
	CHECK(!strcmp(t_read("drivers_probe"), BDF));
	CHECK(!strcmp(t_read("devices/" BDF "/driver_override"), "\n"));
	CHECK(!strcmp(t_read("drivers/e1000e/bind"), BDF));
	t_tree_gone();

	/* The probe itself refused. */
	t_tree("e1000e");
	snprintf(path, sizeof(path), "%s/drivers_probe", root);
	CHECK(unlink(path) == 0);
	t_mkdir("drivers_probe");
	CHECK_ERR(EISDIR, hw_pci_bind_vfio(BDF, orig, sizeof(orig), stderr));
	CHECK(!strcmp(t_read("devices/" BDF "/driver_override"), "\n"));
	CHECK(!strcmp(t_read("drivers/e1000e/bind"), BDF));
	t_tree_gone();
}

static const struct check_test tests[] = {
	TEST(allow_list),
	TEST(bind_and_unbind),
	TEST(rollback_on_failed_override),
	TEST(rollback_on_failed_probe),
};

CHECK_MAIN(tests)
