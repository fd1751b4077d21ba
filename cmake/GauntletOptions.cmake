# Compiler flags for gauntlet's own targets. Third-party headers are included as
# SYSTEM so -Werror applies to our code only.

add_library(gauntlet_warnings INTERFACE)
target_compile_options(gauntlet_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  # GCC 12 reports false -Wrestrict positives inside std::string operator+
  # (GCC bug 105329); the warning says nothing about our code.
  -Wno-restrict
  $<$<BOOL:${GAUNTLET_WERROR}>:-Werror>)

if(GAUNTLET_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# gauntlet_library(NAME SOURCES... [DEPS ...] [PUBLIC_DEPS ...])
function(gauntlet_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE gauntlet_warnings ${ARG_DEPS} PUBLIC ${ARG_PUBLIC_DEPS})
endfunction()
