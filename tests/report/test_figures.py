"""The report's figures keep every label inside the picture."""

from matplotlib.backends.backend_agg import FigureCanvasAgg

from winset.report.figures import amce_figure


def test_every_amce_figure_keeps_its_axis_label_inside(kuril):
    analysis, _ = kuril
    for _, ratifier in analysis.scenario.ratifiers:
        figure = amce_figure(analysis, ratifier.id)
        FigureCanvasAgg(figure).draw()  # the layout is done when the figure is drawn
        renderer = figure.canvas.get_renderer()
        inside = figure.bbox
        for text in (figure.axes[0].xaxis.label, *figure.axes[0].get_yticklabels()):
            box = text.get_window_extent(renderer)
            assert box.x0 >= inside.x0 - 1 and box.x1 <= inside.x1 + 1, (ratifier.id, text.get_text())
