"""The synthetic Xuchang pilot zone and a month of its traffic: the generator behind `make demo`.

`zone.build_zone` makes the enterprises, commodities and buyers; `zone.zone_registry_lines` files
them; `traffic.plan_month` plans the parcels and `traffic.iter_messages` renders their CEB
messages in time order.
"""
