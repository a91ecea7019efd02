// Debian's OpenBLAS (libopenblas-dev, pthread flavour): the CBLAS interface plus
// openblas_set_num_threads. pkg-config `openblas` puts its include directory first, so this is
// OpenBLAS's own cblas.h. Only Sources/TandemBLAS imports this module.
#include <cblas.h>
