# Runs the built executables the way a user would and checks what they print and return.
# Usage: cmake -DBIN_DIR=<dir with executables> -DVECTORS=<test-vectors dir> -P apps_test.cmake

set(checks 0)

# run(<expected exit: 0|nonzero> <regex the combined output must match> <command...>)
function(run expect pattern)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 60)
  set(all "${out}${err}")
  if(expect STREQUAL "0" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "`${ARGN}` exited ${rc}, expected 0:\n${all}")
  elseif(expect STREQUAL "nonzero" AND rc EQUAL 0)
    message(FATAL_ERROR "`${ARGN}` exited 0, expected a failure:\n${all}")
  endif()
  if(NOT all MATCHES "${pattern}")
    message(FATAL_ERROR "`${ARGN}` output does not match '${pattern}':\n${all}")
  endif()
  math(EXPR n "${checks} + 1")
  set(checks ${n} PARENT_SCOPE)
endfunction()

foreach(prog bitloomd bitloom-cli bitloom)
  run(0 "${prog} version v[0-9]+\\.[0-9]+\\.[0-9]+" ${BIN_DIR}/${prog} --version)
  run(0 "Usage:" ${BIN_DIR}/${prog} --help)
endforeach()

# Option errors name the offending option and fail.
run(nonzero "Invalid parameter -nosuchoption" ${BIN_DIR}/bitloomd -nosuchoption)
run(nonzero "Invalid combination of -regtest" ${BIN_DIR}/bitloomd -regtest -testnet4)
run(nonzero "Invalid chain name 'moon'" ${BIN_DIR}/bitloomd -chain=moon)
run(0 "-datadir=<dir>" ${BIN_DIR}/bitloomd -help)
run(0 "-rpcport=<port>" ${BIN_DIR}/bitloom-cli -help)

# The umbrella tool's utilities.
run(0 "sha256: [a-z-]+" ${BIN_DIR}/bitloom selftest)
run(0 "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
    ${BIN_DIR}/bitloom chains)
run(0 "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069"
    ${BIN_DIR}/bitloom block ${VECTORS}/bitcoin-core/block413567.raw)
run(nonzero "[Ee]rror" ${BIN_DIR}/bitloom block ${CMAKE_CURRENT_LIST_FILE})
run(0 "\"type\": \"witness_v0_keyhash\""
    ${BIN_DIR}/bitloom address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)
run(nonzero "Invalid" ${BIN_DIR}/bitloom address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5)
run(0 "bcrt1q" ${BIN_DIR}/bitloom key new --chain regtest)
run(0 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    ${BIN_DIR}/bitloom hash sha256 616263)

message(STATUS "apps: ${checks} checks passed")
