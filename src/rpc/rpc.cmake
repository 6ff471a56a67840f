list(APPEND MODULE_SOURCES
  auth.cpp
  base64.cpp
  client.cpp
  http_client.cpp
  http_message.cpp
  http_server.cpp
  json.cpp
  json_rpc.cpp
  rpc_http.cpp)
list(APPEND MODULE_TESTS
  auth_test.cpp
  base64_test.cpp
  client_test.cpp
  http_server_test.cpp
  json_rpc_test.cpp
  json_test.cpp)
