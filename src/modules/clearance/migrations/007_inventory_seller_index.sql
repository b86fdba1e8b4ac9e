-- The risk engine reads a seller's inventory outcomes every pipeline batch (its provisional credit
-- grade) and the credit system when it rates: by seller, never by scanning every inventory.
create index clr_inventory_ebc on clr_inventory (ebc_code);
