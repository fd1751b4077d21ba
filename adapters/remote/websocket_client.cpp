// Compiled as C++17 with ASIO_STANDALONE: websocketpp 0.8.2 does not build as C++20.
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "adapters/remote/websocket_client.hpp"

namespace gauntlet::adapters {

using Endpoint = websocketpp::client<websocketpp::config::asio_client>;

struct WebsocketClient::Impl {
  std::unique_ptr<Endpoint> endpoint;
  std::thread io;
  websocketpp::connection_hdl handle;

  mutable std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  bool closed = false;  // the current connection ended (or never opened)
  bool io_done = false;
  std::string close_reason;
  std::deque<Message> inbox;

  void stop() {
    if (endpoint) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        if (open && !closed) {
          lock.unlock();
          websocketpp::lib::error_code ec;
          endpoint->close(handle, websocketpp::close::status::normal, "client done", ec);
        }
      }
      endpoint->stop_perpetual();
      {
        // A close handshake takes one round trip; a dead peer is cut short.
        std::unique_lock<std::mutex> lock(mutex);
        if (!changed.wait_for(lock, std::chrono::milliseconds(500), [this] { return io_done; })) {
          lock.unlock();
          endpoint->stop();
        }
      }
      if (io.joinable()) io.join();
    }
    endpoint.reset();
    std::lock_guard<std::mutex> lock(mutex);
    open = false;
    closed = true;
    inbox.clear();
  }

  void mark_closed(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!closed) {
      closed = true;
      close_reason = reason;
    }
    changed.notify_all();
  }
};

WebsocketClient::WebsocketClient() : impl_(std::make_unique<Impl>()) { impl_->closed = true; }

WebsocketClient::~WebsocketClient() { close(); }

void WebsocketClient::close() { impl_->stop(); }

bool WebsocketClient::connected() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->open && !impl_->closed;
}

void WebsocketClient::connect(const std::string& uri, std::chrono::milliseconds timeout) {
  close();
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.open = false;
    s.closed = false;
    s.close_reason.clear();
    s.inbox.clear();
    s.io_done = false;
  }
  s.endpoint = std::make_unique<Endpoint>();
  Endpoint& ep = *s.endpoint;
  ep.clear_access_channels(websocketpp::log::alevel::all);
  ep.clear_error_channels(websocketpp::log::elevel::all);
  ep.init_asio();
  ep.start_perpetual();
  ep.set_open_handshake_timeout(static_cast<long>(timeout.count()));
  ep.set_close_handshake_timeout(1000);
  ep.set_max_message_size(1u << 30);
  // Small request/reply messages: Nagle's algorithm would add up to 40 ms.
  ep.set_socket_init_handler([](websocketpp::connection_hdl, asio::ip::tcp::socket& socket) {
    asio::error_code ec;
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
  });
  ep.set_open_handler([&s](websocketpp::connection_hdl) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.open = true;
    s.changed.notify_all();
  });
  ep.set_fail_handler([&s, &ep](websocketpp::connection_hdl h) {
    websocketpp::lib::error_code ec;
    const auto con = ep.get_con_from_hdl(h, ec);
    s.mark_closed(con ? con->get_ec().message() : std::string("connection failed"));
  });
  ep.set_close_handler([&s, &ep](websocketpp::connection_hdl h) {
    websocketpp::lib::error_code ec;
    const auto con = ep.get_con_from_hdl(h, ec);
    std::string reason = "the server closed the connection";
    if (con) {
      reason += " (code " + std::to_string(con->get_remote_close_code());
      if (!con->get_remote_close_reason().empty()) reason += ": " + con->get_remote_close_reason();
      reason += ")";
    }
    s.mark_closed(reason);
  });
  ep.set_message_handler([&s](websocketpp::connection_hdl, Endpoint::message_ptr msg) {
    Message m;
    m.binary = msg->get_opcode() == websocketpp::frame::opcode::binary;
    m.payload = std::move(msg->get_raw_payload());
    std::lock_guard<std::mutex> lock(s.mutex);
    s.inbox.push_back(std::move(m));
    s.changed.notify_all();
  });

  websocketpp::lib::error_code ec;
  Endpoint::connection_ptr con = ep.get_connection(uri, ec);
  if (ec) {
    s.endpoint.reset();
    throw std::invalid_argument("'" + uri + "' is not a websocket URI (ws://HOST:PORT): " + ec.message());
  }
  s.handle = con->get_handle();
  ep.connect(con);
  s.io = std::thread([&s, &ep] {
    ep.run();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.io_done = true;
    s.changed.notify_all();
  });

  std::unique_lock<std::mutex> lock(s.mutex);
  const bool done = s.changed.wait_for(lock, timeout + std::chrono::milliseconds(100), [&s] { return s.open || s.closed; });
  if (!done || !s.open) {
    const std::string reason = done ? s.close_reason : "timed out after " + std::to_string(timeout.count()) + " ms";
    lock.unlock();
    close();
    throw ConnectionLost("cannot connect to " + uri + ": " + reason);
  }
}

void WebsocketClient::send_binary(const std::string& payload) {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.endpoint || !s.open || s.closed) {
      throw ConnectionLost(s.close_reason.empty() ? "not connected" : s.close_reason);
    }
  }
  websocketpp::lib::error_code ec;
  s.endpoint->send(s.handle, payload.data(), payload.size(), websocketpp::frame::opcode::binary, ec);
  if (ec) throw ConnectionLost("send failed: " + ec.message());
}

WebsocketClient::Message WebsocketClient::receive(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const bool ready = s.changed.wait_for(lock, timeout, [&s] { return !s.inbox.empty() || s.closed; });
  if (!s.inbox.empty()) {
    Message m = std::move(s.inbox.front());
    s.inbox.pop_front();
    return m;
  }
  if (!ready) throw ReceiveTimeout("no reply within " + std::to_string(timeout.count()) + " ms");
  throw ConnectionLost(s.close_reason.empty() ? "the connection closed" : s.close_reason);
}

}  // namespace gauntlet::adapters
