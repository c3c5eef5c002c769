# -DALEMBIC_FIX_STATIC=ON: an alembic-fix that needs only glibc (libc, libm, ld-linux), for the
# wheel. Included before the find_package calls, which then keep the targets defined here.
# - tree-sitter, Boost.Program_options: Debian's static archives (libtree-sitter.a,
#   libboost_program_options.a), found instead of the .so;
# - fmt, toml++: Debian ships no static archive of either (libfmt-dev and libtomlplusplus-dev hold
#   only the .so), so both are compiled in from Debian's headers in their header-only modes;
# - xxHash (libxxhash-dev, the result cache): header-only everywhere (XXH_INLINE_ALL), nothing to link;
# - the grammar is a static library already; libstdc++ and libgcc come from gcc's archives.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(Boost_USE_STATIC_LIBS ON)

# fmt's package file defines nothing when both of its targets exist.
add_library(fmt::fmt INTERFACE IMPORTED)
set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
add_library(fmt::fmt-header-only INTERFACE IMPORTED)
set_target_properties(fmt::fmt-header-only PROPERTIES INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
# toml++'s package file defines its target only when it does not exist.
add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
set_target_properties(tomlplusplus::tomlplusplus PROPERTIES INTERFACE_COMPILE_DEFINITIONS TOML_HEADER_ONLY=1)

add_link_options(-static-libstdc++ -static-libgcc)
