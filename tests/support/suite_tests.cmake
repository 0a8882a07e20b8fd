# Run after each build of a GoogleTest binary (dirigo_suite_tests in
# tests/CMakeLists.txt): lists its suites and writes CTEST_FILE, one CTest
# test a suite ("Suite", running "Suite.*"), labelled LABELS, stopped after
# TIMEOUT seconds.
#   cmake -D TEST_EXECUTABLE=… -D CTEST_FILE=… -D LABELS=… -D TIMEOUT=…
#         -D WORKING_DIR=… -P suite_tests.cmake
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed: ${status}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
set(suites 0)
foreach(line IN LISTS lines)
  # A suite's line: "Suite." or "Prefix/Suite.", a comment after it for
  # typed suites; a test's lines are indented.
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.( +#.*)?$")
    set(suite "${CMAKE_MATCH_1}")
    string(APPEND script
      "add_test([==[${suite}]==] [==[${TEST_EXECUTABLE}]==] "
      "[==[--gtest_filter=${suite}.*]==])\n"
      "set_tests_properties([==[${suite}]==] PROPERTIES LABELS [==[${LABELS}]==] "
      "TIMEOUT ${TIMEOUT} WORKING_DIRECTORY [==[${WORKING_DIR}]==])\n")
    math(EXPR suites "${suites} + 1")
  endif()
endforeach()
if(suites EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no suite")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
