#pragma once

#include "TablePage.h"

#include <QPointer>

namespace berth::app {

class EngineService;
class ImageModel;
class PullDialog;
class RunDialog;

// Images with pull (a progress dialog), run (a dialog, then the new container is shown),
// tag, remove (the engine's refusal is shown as it gives it) and prune of dangling images.
class ImagesView final : public TablePage
{
    Q_OBJECT

public:
    ImagesView(EngineService* engine, ImageModel* model, QWidget* parent = nullptr);

    PullDialog* pullDialog() const;
    RunDialog* runDialog() const;

public slots:
    void openPull();
    void openRun();

signals:
    // A container was created and started from the Run dialog.
    void containerStarted(const QString& id);

private:
    void tagSelected();
    void removeSelected();
    void prune();
    // A box named "runExitedAtOnce" with the code and the last output.
    void reportExitAtOnce(const QString& name, int exitCode, const QString& lastOutput);

    EngineService* m_engine;
    ImageModel* m_model;
    QPointer<PullDialog> m_pull;
    QPointer<RunDialog> m_run;
    int m_pullToken = 0;
    int m_runRequest = 0; // the run the Run dialog is waiting for
};

} // namespace berth::app
