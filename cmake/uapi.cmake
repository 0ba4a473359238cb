# The kernel structs and ioctl numbers come from the system's uAPI headers and
# are never retyped here, so a too-old linux-libc-dev must stop the build with
# a message that says how to get a newer one.
include(CheckSymbolExists)

check_symbol_exists(IOMMU_IOAS_MAP "linux/iommufd.h" IOFD_HAVE_IOMMU_IOAS_MAP)
check_symbol_exists(VFIO_DEVICE_BIND_IOMMUFD "linux/vfio.h" IOFD_HAVE_VFIO_BIND_IOMMUFD)

if(NOT IOFD_HAVE_IOMMU_IOAS_MAP OR NOT IOFD_HAVE_VFIO_BIND_IOMMUFD)
  message(FATAL_ERROR
    "iofd needs the Linux uAPI headers >= 6.6: <linux/iommufd.h> must define "
    "IOMMU_IOAS_MAP and <linux/vfio.h> VFIO_DEVICE_BIND_IOMMUFD.\n"
    "On Debian 12 run tools/setup.sh as root, or by hand: add the "
    "bookworm-backports suite to APT and run\n"
    "  apt-get install -t bookworm-backports linux-libc-dev\n"
    "then delete the build directory and configure again.")
endif()
