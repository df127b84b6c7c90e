// libprotobuf-c's runtime, as a Clang module (Debian: libprotobuf-c-dev).
#include <protobuf-c/protobuf-c.h>
