# `cmake --install`: the binary and its man page. CPack: a .deb whose dependencies
# dpkg-shlibdeps reads off the binary (libtree-sitter0, libfmt9, ...).
include(GNUInstallDirs)
install(TARGETS alembic-fix RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/alembic-fix.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME alembic-fix)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "alembic-fix maintainers <alembic-fix@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "removes other databases' drops from Alembic migrations and annotates MIGRATION_TARGET")
set(CPACK_PACKAGE_DESCRIPTION
    "alembic-fix is a source-to-source compiler for Alembic migration scripts in projects that run\n\
several databases from one Alembic setup. It removes the drop_table/drop_index/... statements\n\
autogenerate wrote for another database's tables, and the downgrade statements that re-create\n\
them, and writes every other byte of the file back unchanged.")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)  # a RelWithDebInfo build carries debug info the package does not need
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
