# The kernel's own iommufd selftests (tools/testing/selftests/iommu) and the
# emulator's IOMMU_TEST_CMD mock, which is compiled against the kernel's
# drivers/iommu/iommufd/iommufd_test.h, need files of Debian's
# linux-source-6.12 tarball. tools/kselftest/fetch.sh extracts them into a
# cache outside the repository; this module runs it at configure time.
#
# Sets IOFD_KSELFTEST (ON when the files are there), IOFD_KSELFTEST_SRC (the
# extracted tree, rooted like the kernel's) and, when OFF,
# IOFD_KSELFTEST_REASON. Without the files the mock and the selftests are
# left out: the emulator answers IOMMU_TEST_CMD with ENOTTY, as a kernel
# built without CONFIG_IOMMUFD_TEST does, and the kselftest CTest test
# reports a skip that gives the reason.
set(IOFD_KSELFTEST_TARBALL /usr/src/linux-source-6.12.tar.xz CACHE FILEPATH
    "Debian's linux-source-6.12 tarball (the kernel's iommufd selftests)")

execute_process(
  COMMAND bash ${PROJECT_SOURCE_DIR}/tools/kselftest/fetch.sh
          --tarball ${IOFD_KSELFTEST_TARBALL}
  RESULT_VARIABLE iofd_fetch_rc
  OUTPUT_VARIABLE iofd_fetch_out
  ERROR_VARIABLE iofd_fetch_err
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)

set(IOFD_KSELFTEST_SRC "")
set(IOFD_KSELFTEST_REASON "")
if(iofd_fetch_rc EQUAL 0 AND
   EXISTS "${iofd_fetch_out}/drivers/iommu/iommufd/iommufd_test.h")
  set(IOFD_KSELFTEST ON)
  set(IOFD_KSELFTEST_SRC "${iofd_fetch_out}")
  message(STATUS "kselftest: the iommufd selftests and the IOMMU_TEST_CMD "
                 "mock are built from ${IOFD_KSELFTEST_SRC}")
else()
  set(IOFD_KSELFTEST OFF)
  string(REGEX REPLACE "\n" " " IOFD_KSELFTEST_REASON "${iofd_fetch_err}")
  if(NOT IOFD_KSELFTEST_REASON)
    set(IOFD_KSELFTEST_REASON "tools/kselftest/fetch.sh failed (${iofd_fetch_rc})")
  endif()
  message(STATUS "kselftest: the iommufd selftests and the IOMMU_TEST_CMD "
                 "mock are left out: ${IOFD_KSELFTEST_REASON}")
endif()
