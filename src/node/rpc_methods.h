// The node's RPC method groups, each registered on the dispatcher with handlers that use the
// shared NodeContext (which must outlive the dispatcher's use). Results, parameter names and
// error codes follow Bitcoin Core's.
#pragma once

#include "node/context.h"
#include "rpc/json_rpc.h"

namespace bitloom {

// getblockchaininfo getblockcount getbestblockhash getblockhash getblock getblockheader
// getchaintips getdifficulty getblockstats gettxoutsetinfo gettxout verifychain
// invalidateblock reconsiderblock preciousblock
void register_blockchain_rpcs(RpcDispatcher& dispatcher, NodeContext& node);

// getrawtransaction decoderawtransaction decodescript
void register_rawtransaction_rpcs(RpcDispatcher& dispatcher, NodeContext& node);

// submitblock submitheader generatetoaddress generatetodescriptor generateblock getmininginfo
void register_mining_rpcs(RpcDispatcher& dispatcher, NodeContext& node);

// setmocktime (and help, stop, uptime from the rpc module)
void register_node_rpcs(RpcDispatcher& dispatcher, NodeContext& node);

// getnetworkinfo getpeerinfo getconnectioncount getnettotals addnode disconnectnode
// getaddednodeinfo getnodeaddresses ping setban listbanned clearbanned setnetworkactive
// sendrawtransaction. They use NodeContext::network and ::peers, which may be null (P2P not
// running): every method but getnetworkinfo then fails with Core's P2P-disabled error (the
// ban methods with its "Ban database not loaded").
void register_net_rpcs(RpcDispatcher& dispatcher, NodeContext& node);

}  // namespace bitloom
