// This target receives its handlers, domain logic and storage with the issue that builds it (see issues).
// Until then it is deliberately empty: it exists so that the package has its final shape and its dependency
// on RPCShared (and on nothing else) is checked by every build.
import RPCShared
