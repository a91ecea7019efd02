// zlib's inflate, for gunzipping model.tar.gz artifacts (Sources/TandemArchive/GzipStream.swift is its one user).
#include <zlib.h>
