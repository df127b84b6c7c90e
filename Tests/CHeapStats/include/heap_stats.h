#include <stddef.h>
/// Bytes the C heap has handed out and not yet taken back (glibc's mallinfo2().uordblks); 0 elsewhere.
size_t heap_bytes_in_use(void);
