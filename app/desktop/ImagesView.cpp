#include "ImagesView.h"

#include "Dialogs.h"
#include "EngineService.h"
#include "Format.h"
#include "PullDialog.h"
#include "ResourceModels.h"
#include "RunDialog.h"
#include "Workflows.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace berth::app {

namespace {
// How long a container from Run is watched after it starts, for an exit at once.
constexpr std::chrono::milliseconds kRunWatch{2000};
} // namespace

ImagesView::ImagesView(EngineService* engine, ImageModel* model, QWidget* parent)
    : TablePage(model, "imagesTable", parent), m_engine(engine), m_model(model)
{
    setObjectName("imagesView");
    connect(addButton("imagesPull", tr("Pull…"), false), &QPushButton::clicked, this, &ImagesView::openPull);
    connect(addButton("imagesRun", tr("Run…"), false), &QPushButton::clicked, this, &ImagesView::openRun);
    connect(addButton("imagesTag", tr("Tag…"), true), &QPushButton::clicked, this, &ImagesView::tagSelected);
    connect(addButton("imagesRemove", tr("Remove…"), true), &QPushButton::clicked, this,
            &ImagesView::removeSelected);
    addInspectButton("imagesInspect", ImageModel::IdRole, ImageModel::ReferenceRole);
    addStretch();
    connect(addButton("imagesPrune", tr("Prune dangling…"), false), &QPushButton::clicked, this,
            &ImagesView::prune);
    connect(table(), &QTableView::doubleClicked, this, &ImagesView::openRun);

    connect(m_engine, &EngineService::pullProgress, this,
            [this](int token, const engine::ProgressMessage& message) {
                if (m_pull && token == m_pullToken)
                    m_pull->progress(message);
            });
    connect(m_engine, &EngineService::pullFinished, this, [this](int token, bool ok, const QString& error) {
        if (m_pull && token == m_pullToken)
            m_pull->finished(ok, error);
    });
    markDestructive({"imagesRemove", "imagesPrune"});
}

PullDialog* ImagesView::pullDialog() const
{
    return m_pull;
}

RunDialog* ImagesView::runDialog() const
{
    return m_run;
}

void ImagesView::openPull()
{
    if (!m_pull) {
        m_pull = new PullDialog(this);
        m_pull->setObjectName("pullDialog");
        connect(m_pull, &PullDialog::pullRequested, this, [this](const QString& reference) {
            ++m_pullToken;
            m_engine->pullImage(m_pullToken, reference);
        });
        connect(m_pull, &PullDialog::cancelRequested, this, [this] { m_engine->cancelPull(m_pullToken); });
    }
    m_pull->show();
    m_pull->raise();
    m_pull->activateWindow();
}

void ImagesView::openRun()
{
    if (!m_run) {
        m_run = new RunDialog(this);
        m_run->setObjectName("runDialog");
        // A run's answers count only while its dialog is still showing that run.
        connect(m_run, &QDialog::finished, this, [this] { ++m_runRequest; });
        connect(m_run, &RunDialog::runRequested, this, [this](const engine::ContainerSpec& spec) {
            const int request = ++m_runRequest;
            auto current = [this, request] {
                return m_run && m_run->isVisible() && request == m_runRequest;
            };
            runContainer(
                *m_engine, this, spec, kRunWatch,
                [this, current](RunStep step) {
                    if (!current())
                        return;
                    m_run->setBusy(true, step == RunStep::Creating ? tr("Creating the container…")
                                         : step == RunStep::Starting
                                             ? tr("Starting the container…")
                                             : tr("Started; checking that it keeps running…"));
                },
                [this, current, name = QString::fromStdString(spec.name)](const RunOutcome& outcome) {
                    if (!outcome.started) {
                        if (current())
                            m_run->showError(outcome.id.isEmpty()
                                                 ? outcome.error
                                                 : tr("The container did not start, so it was removed: %1")
                                                       .arg(outcome.error));
                        return;
                    }
                    if (current()) {
                        m_run->setBusy(false, {});
                        m_run->accept();
                    }
                    emit containerStarted(outcome.id);
                    if (outcome.exitedAtOnce && outcome.exitCode.value_or(0) != 0)
                        reportExitAtOnce(name.isEmpty() ? outcome.id.left(12) : name, *outcome.exitCode,
                                         outcome.lastOutput);
                });
        });
    }
    QStringList images;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (const auto* image = m_model->item(row); image->tagged())
            images << QString::fromStdString(image->reference());
    images.sort();
    m_run->setImages(images);
    if (const auto reference = selected(ImageModel::ReferenceRole).toString(); !reference.isEmpty())
        m_run->setImage(reference);
    m_run->show();
    m_run->raise();
    m_run->activateWindow();
}

void ImagesView::reportExitAtOnce(const QString& name, int exitCode, const QString& lastOutput)
{
    auto* box = new QMessageBox(
        QMessageBox::Warning, tr("Run"),
        tr("The container %1 started, then exited at once with code %2.").arg(name).arg(exitCode),
        QMessageBox::Ok, this);
    box->setObjectName("runExitedAtOnce");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        lastOutput.isEmpty()
            ? tr("It printed nothing. Check its command and image; it is kept, stopped, "
                 "in Containers.")
            : tr("Its last output:\n%1\n\nIt is kept, stopped, in Containers, with its logs.")
                  .arg(lastOutput));
    box->open();
}

void ImagesView::tagSelected()
{
    const auto id = selected(ImageModel::IdRole).toString();
    const auto reference = selected(ImageModel::ReferenceRole).toString();
    if (id.isEmpty())
        return;
    // The tag follows the last ':' that is not a registry's host:port.
    auto split = [](const QString& text) {
        QString repository = text, tag = "latest";
        const auto colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf('/')) {
            repository = text.left(colon);
            tag = text.mid(colon + 1);
        }
        return std::pair{repository, tag};
    };
    auto problem = [split](const QString& text) {
        const auto [repository, tag] = split(text);
        static const QRegularExpression kTag("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
        if (repository.isEmpty() || text.contains(' ') || repository != repository.toLower())
            return tr("\"%1\" is not a valid name: write repository or repository:tag in lower case, "
                      "e.g. myapp:1.0")
                .arg(text);
        if (!kTag.match(tag).hasMatch())
            return tr("\"%1\" is not a valid tag: letters, digits, '_', '.' and '-', up to 128").arg(tag);
        return QString();
    };
    askText("tagDialog", tr("Tag image"), tr("New name for %1 (repository[:tag]):").arg(reference), problem,
            [this, id, split](const QString& text) {
                const auto [repository, tag] = split(text);
                m_engine->act(
                    this,
                    [id = id.toStdString(), repository = repository.toStdString(),
                     tag = tag.toStdString()](engine::Client& client, engine::Done done) {
                        return client.tagImage(id, repository, tag, std::move(done));
                    },
                    [this](engine::Status status) {
                        if (!status)
                            showError(tr("Tag image"), QString::fromStdString(status.error().message));
                    });
            });
}

void ImagesView::removeSelected()
{
    const auto reference = selected(ImageModel::ReferenceRole).toString();
    const auto id = selected(ImageModel::IdRole).toString();
    const auto others = selected(ImageModel::OtherNamesRole).toStringList();
    if (reference.isEmpty())
        return;
    // A name is removed on its own: the image stays while it has other names, as `docker rmi
    // NAME` does. Force removes the image itself, by ID, with every name.
    const auto question =
        others.isEmpty()
            ? tr("Remove the image %1?").arg(reference)
            : tr("Remove the name %1? The image keeps its other %2: %3.")
                  .arg(reference, others.size() == 1 ? tr("name") : tr("names"), others.join(", "));
    auto* box = openConfirmation(
        this, QMessageBox::Question, "confirmRemoveImage", tr("Remove image"), question, tr("Remove"),
        [this, reference, id](QMessageBox* answered) {
            const bool forced = answered->checkBox()->isChecked();
            const auto name = forced ? id : reference;
            m_engine->request<std::vector<std::string>>(
                this,
                [name = name.toStdString(), forced](engine::Client& client,
                                                    engine::Callback<std::vector<std::string>> done) {
                    return client.removeImage(name, forced, false, std::move(done));
                },
                [this, reference](engine::Result<std::vector<std::string>> removed) {
                    if (!removed)
                        showError(tr("Cannot remove %1").arg(reference),
                                  QString::fromStdString(removed.error().message));
                });
        });
    auto* force =
        new QCheckBox(others.isEmpty() ? tr("Force: remove it even if stopped containers use it")
                                       : tr("Force: remove the image with all its names, even if stopped "
                                            "containers use it"),
                      box);
    force->setObjectName("forceRemoveImage");
    box->setCheckBox(force);
}

void ImagesView::prune()
{
    confirm("confirmPruneImages", tr("Prune images"),
            tr("Remove every dangling image (untagged, and used by no container)?"), tr("Prune"), [this] {
                m_engine->request<engine::PruneReport>(
                    this,
                    [](engine::Client& client, engine::Callback<engine::PruneReport> done) {
                        return client.pruneImages({{"dangling", {"true"}}}, std::move(done));
                    },
                    [this](engine::Result<engine::PruneReport> report) {
                        if (!report) {
                            showError(tr("Prune images"), QString::fromStdString(report.error().message));
                            return;
                        }
                        showPruned(tr("Prune images"), *report, tr("image"), tr("images"));
                    });
            });
}

} // namespace berth::app
