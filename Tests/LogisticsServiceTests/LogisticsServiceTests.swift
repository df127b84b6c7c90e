// The LogisticsService tests: domain (no sockets), storage on real SQLite files, and the service over a real socket.
import Testing
