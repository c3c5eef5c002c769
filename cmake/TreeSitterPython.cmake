# Fetches the tree-sitter-python grammar from its npm package at configure time, checks the
# tarball against the pinned integrity, and builds its parser.c/scanner.c as a static library.
# Nothing of the grammar is committed: the tarball lands in the build tree only.
set(TSP_VERSION "0.23.6")
# sha512 of tree-sitter-python-0.23.6.tgz, the registry's "integrity" field in hex.
set(TSP_SHA512 "c8833dcf4a31288c53edb02d3ce860a1597a8135e59a5221b9eee58854f8a013c5fe585aec76b8750052f3602fea130c459a159c5248f0cea62fe4b05a82c3dc")
set(TSP_TARBALL "" CACHE FILEPATH "Use this tree-sitter-python-${TSP_VERSION}.tgz instead of running npm pack")

set(tsp_dir "${CMAKE_BINARY_DIR}/_deps/tree-sitter-python")
set(tsp_tgz "${tsp_dir}/tree-sitter-python-${TSP_VERSION}.tgz")

function(tsp_hash_ok file out)
  set(${out} FALSE PARENT_SCOPE)
  if(EXISTS "${file}")
    file(SHA512 "${file}" h)
    if(h STREQUAL TSP_SHA512)
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endif()
endfunction()

tsp_hash_ok("${tsp_tgz}" have)
if(NOT have)
  file(MAKE_DIRECTORY "${tsp_dir}")
  if(TSP_TARBALL)
    file(COPY_FILE "${TSP_TARBALL}" "${tsp_tgz}")
  else()
    find_program(NPM npm REQUIRED)
    message(STATUS "Fetching tree-sitter-python@${TSP_VERSION} with npm pack")
    execute_process(
      COMMAND "${NPM}" pack "tree-sitter-python@${TSP_VERSION}" --silent --pack-destination "${tsp_dir}"
      WORKING_DIRECTORY "${tsp_dir}"
      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "npm pack tree-sitter-python@${TSP_VERSION} failed: ${err}")
    endif()
  endif()
  tsp_hash_ok("${tsp_tgz}" have)
  if(NOT have)
    file(REMOVE "${tsp_tgz}")
    message(FATAL_ERROR "tree-sitter-python-${TSP_VERSION}.tgz does not match the pinned sha512")
  endif()
  file(REMOVE_RECURSE "${tsp_dir}/package")
endif()
if(NOT EXISTS "${tsp_dir}/package/src/parser.c")
  file(ARCHIVE_EXTRACT INPUT "${tsp_tgz}" DESTINATION "${tsp_dir}" PATTERNS package/src)
endif()

add_library(tree_sitter_python STATIC
  "${tsp_dir}/package/src/parser.c"
  "${tsp_dir}/package/src/scanner.c")
target_include_directories(tree_sitter_python PRIVATE "${tsp_dir}/package/src")
set_target_properties(tree_sitter_python PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
# Generated code: its warnings are not ours to fix.
target_compile_options(tree_sitter_python PRIVATE -w)
