// bitloomd: the bitloom node. Everything happens in the node module (src/node/node.h).
#include "node/node.h"

int main(int argc, char** argv) { return bitloom::run_node(argc, argv); }
