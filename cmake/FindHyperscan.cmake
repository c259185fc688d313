# Finds Hyperscan through pkg-config (libhs); Vectorscan installs the same libhs.pc and hs.h.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HS QUIET IMPORTED_TARGET libhs)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Hyperscan REQUIRED_VARS HS_FOUND VERSION_VAR HS_VERSION)
if(Hyperscan_FOUND AND NOT TARGET Hyperscan::hs)
  add_library(Hyperscan::hs ALIAS PkgConfig::HS)
endif()
