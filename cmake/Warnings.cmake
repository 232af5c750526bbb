function(dacapo_set_warnings target)
  target_compile_options(${target} INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
                                              -Wno-unused-parameter)
endfunction()
