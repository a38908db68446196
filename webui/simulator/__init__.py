"""The neighbours' simulators for development and demos: 住基シミュレータ, J-LIS シミュレータ and the コンビニ kiosk."""

from webui.simulator.routes import bp

__all__ = ["bp"]
