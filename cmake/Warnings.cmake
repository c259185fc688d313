# Warning flags shared by every target; LH_WERROR turns them into errors.
function(lh_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wformat=2
    -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-parameter)
  if(LH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
