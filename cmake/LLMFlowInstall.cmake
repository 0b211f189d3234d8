# What `cmake --install` and the Debian package put where (GNU layout):
#   bin/llmflow                          the binary (tools/llmflow/CMakeLists.txt)
#   share/llmflow/stdlib/std/*.llmflow   the standard library, found relative to the binary
#   share/doc/llmflow/                   README, LICENSE, docs/ and the examples
#   share/bash-completion/completions/llmflow
# tools/package.sh builds the .deb with CPack; tests/install checks both.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${CMAKE_INSTALL_DATADIR}/llmflow/stdlib)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/tools/completion/llmflow.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME llmflow)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME llmflow)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "compiler, runtime and scheduler for compound LLM applications")
set(CPACK_PACKAGE_CONTACT "llmflow developers <dev@llmflow>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)        # libcurl, libantlr4-runtime, libstdc++ ... from the binary
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, graphviz")   # the examples' tools; drawing DAGs
include(CPack)
