"""AfterSale client."""
