# Warning flags for kdrv's own targets (never propagated to consumers).
set(KDRV_WARNINGS
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
  -Wcast-align -Wnon-virtual-dtor -Wold-style-cast -Wundef)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND KDRV_WARNINGS -Wthread-safety)
endif()

# kdrv_warnings(<target>): kdrv's warnings as errors on one target.
function(kdrv_warnings target)
  target_compile_options(${target} PRIVATE ${KDRV_WARNINGS} -Werror)
endfunction()

# kdrv_sanitize(<target>): apply KDRV_SANITIZE to a test or tool target.
function(kdrv_sanitize target)
  if(KDRV_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${KDRV_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${KDRV_SANITIZE})
  endif()
endfunction()
