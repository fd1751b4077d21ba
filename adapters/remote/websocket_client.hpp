// A blocking websocket client (one connection, messages in order) over
// websocketpp + standalone asio. Plain header: websocketpp, which needs C++17,
// stays in websocket_client.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace gauntlet::adapters {

// The connection is gone (refused, reset, closed by the server).
class ConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No message within the timeout; the connection may still be alive.
class ReceiveTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WebsocketClient {
 public:
  WebsocketClient();
  ~WebsocketClient();
  WebsocketClient(const WebsocketClient&) = delete;
  WebsocketClient& operator=(const WebsocketClient&) = delete;

  // Opens ws://HOST:PORT[/PATH]; throws ConnectionLost (refused, handshake
  // failed or timed out) or std::invalid_argument (a malformed URI).
  void connect(const std::string& uri, std::chrono::milliseconds timeout);
  // Closes the connection (if any) without waiting for the server.
  void close();
  bool connected() const;

  // Queues a binary message; throws ConnectionLost.
  void send_binary(const std::string& payload);

  struct Message {
    bool binary = true;
    std::string payload;
  };
  // The next message in order. Throws ReceiveTimeout, or ConnectionLost once
  // every message that arrived before the connection closed has been read.
  Message receive(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::adapters
