#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz entry point: everything is in fuzz/build.sh,
# which reads $CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE, $OUT,
# $WORK and $SRC as the builder sets them, and puts fuzz_attach, its seed
# corpus zip, dictionary and options into $OUT.
exec "$SRC/iofd/fuzz/build.sh"
