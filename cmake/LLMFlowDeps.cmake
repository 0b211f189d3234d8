# Every dependency is a Debian 12 package installed by tools/install-deps.sh.
find_package(LLVM 14 REQUIRED CONFIG)
add_library(llmflow_llvm INTERFACE)
target_include_directories(llmflow_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_definitions(llmflow_llvm INTERFACE ${LLVM_DEFINITIONS})
target_link_directories(llmflow_llvm INTERFACE ${LLVM_LIBRARY_DIRS})
target_link_libraries(llmflow_llvm INTERFACE LLVMSupport)

find_package(antlr4-runtime REQUIRED CONFIG)
find_program(ANTLR4_TOOL NAMES antlr4 REQUIRED)

find_package(Threads REQUIRED)
