"""The sample government portal network: fictional agencies' reports served in real CMS styles.

``network`` holds the data (what is published where and when), ``pages`` renders it per CMS style,
``server`` serves it on loopback at an as-of date. Used by ``fazhi portal``, the demo and the tests.
"""
