# Warnings are errors everywhere; FERRY_SANITIZE=address,undefined builds the
# whole tree (tests included) under the sanitizers.
set(FERRY_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")

add_compile_options(-Wall -Wextra -Werror)
if(FERRY_SANITIZE)
  # GCC 12 reports false maybe-uninitialized warnings in Catch2 under the sanitizers.
  add_compile_options(-fsanitize=${FERRY_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=${FERRY_SANITIZE})
endif()
if(FERRY_SANITIZE MATCHES "thread")
  # The fences that order stores for one-sided peers (another process reading the memory
  # through UCX) are outside what ThreadSanitizer models; GCC warns about every one.
  add_compile_options(-Wno-tsan)
endif()
