"""A small contract for tests: one platform, one scope on the documentation hours."""

from __future__ import annotations

from veilleur.incidents.contract import Contract
from veilleur.inventory import Inventory
from veilleur.inventory.loader import load_sources

PORTAL_ID = "esidoc/prod/proxy/portal"

CONTRACT = """
contacts:
  - {{id: astreinte, name: Astreinte, channels: ["{oncall}"]}}
  - {{id: astreinte-n2, name: Astreinte N2, channels: ["{second}"]}}
  - {{id: exploitation, name: Exploitation, channels: ["{ops}"]}}
  - {{id: dsi, name: DSI, channels: ["{dsi}"]}}
platforms:
  - id: esidoc
    environments:
      - id: prod
        hosts:
          - id: proxy
            address: 127.0.0.1
            checks:
              - {{id: portal, kind: tcp, port: 443}}
scopes:
  - id: documentation
    platforms: [esidoc]
    calendar:
      business_hours: [{{days: mon-fri, hours: "08:00-17:00"}}]
      closures: [{{name: fermeture de décembre, from: 2026-12-19, to: 2027-01-03}}]
    guarantees: {{gti: 2h, gtr: 4h, warn_before: 30m, counting: {counting}}}
    alert_chain:
      steps:
        - {{after: 0m, notify: [astreinte]}}
        - {{after: 30m, notify: [astreinte-n2]}}
      inform: [exploitation, dsi]
      business_hours: [exploitation]
"""


def contract_inventory(
    oncall: str = "json://127.0.0.1:9/oncall",
    second: str = "json://127.0.0.1:9/second",
    ops: str = "json://127.0.0.1:9/ops",
    dsi: str = "json://127.0.0.1:9/dsi",
    counting: str = "coverage",
) -> Inventory:
    text = CONTRACT.format(
        oncall=oncall, second=second, ops=ops, dsi=dsi, counting=counting
    )
    return load_sources([("contract.yaml", text)], "test")


def make_contract(**channels: str) -> Contract:
    return Contract(contract_inventory(**channels), "http://127.0.0.1:8470")
