// The container actor's docker commit: the container is frozen (unless asked not to) while the
// images manager stores its upper directory as a layer on its image, then thawed.
#include <caf/typed_event_based_actor.hpp>

#include "actors/commit_config.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/directory.hpp"
#include "actors/images_manager.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

// A commit reads the whole upper directory: no deadline but the client's.
constexpr auto commit_timeout = std::chrono::seconds(24 * 3600);

// Thaws the container if this commit froze it and nothing thawed it meanwhile (a stop or kill
// does), then runs `then`.
void thaw_after_commit(container_pointer self, bool froze, std::function<void()> then) {
  if (!froze || self->state.rec.status != container_status::paused) return then();
  set_paused(self, false, [self, then](caf::error err) {
    if (err)
      lg.warn("could not unpause a container after a commit",
              {{"id", self->state.rec.id}, {"error", error_message(err)}});
    then();
  });
}

image_commit_request image_request(const container_state& st, const container_commit_request& req,
                                   nlohmann::json config) {
  image_commit_request out;
  out.parent_id = st.rec.image_id;
  out.upper_dir = st.paths.layer_dir + "/diff";
  out.lower_dirs = st.rec.lower_dirs;
  out.child.config = std::move(config);
  out.child.container_config = runtime::to_json(st.rec.config);
  out.child.container_id = st.rec.id;
  out.child.author = req.author;
  out.child.comment = req.comment;
  out.child.created_by = commit_created_by(st.rec.config);
  out.reference = req.reference;
  return out;
}

} // namespace

void commit_container(container_pointer self, container_commit_request req,
                      caf::typed_response_promise<std::string> reply) {
  auto& st = self->state;
  auto refuse = [&reply](caf::error err) { reply.deliver(std::move(err)); };
  if (st.removing)
    return refuse(make_error(errc::conflict, "You cannot commit container " + st.rec.id +
                                                 " which is being removed"));
  if (st.rec.status == container_status::dead)
    return refuse(
        make_error(errc::conflict, "You cannot commit container " + st.rec.id + " which is Dead"));
  auto config = commit_image_config(st.rec.config, req.config, req.changes);
  if (!config) return refuse(config.error());
  auto images = directory::lookup<images_manager_actor>(self->system(), directory::images);
  if (!images)
    return refuse(
        make_error(errc::unavailable, "the images component is not available, try again"));
  auto request = image_request(st, req, std::move(*config));
  auto began = monotonic_nanos();
  ++st.commits; // the container is not removed while its files are read
  auto store = [self, images, request = std::move(request), req, reply, began](bool froze) mutable {
    auto done = [self, froze, reply](caf::expected<std::string> result) mutable {
      --self->state.commits;
      thaw_after_commit(self, froze, [reply, result = std::move(result)]() mutable {
        if (result)
          reply.deliver(std::move(*result));
        else
          reply.deliver(result.error());
      });
    };
    self->request(images, commit_timeout, commit_atom_v, std::move(request))
        .then(
            [self, req, began, done](std::string& image_id) mutable {
              publish_event(self, "commit",
                            {{"comment", req.comment},
                             {"imageID", image_id},
                             {"imageRef", storage::familiar_text(req.reference)}});
              observe_action(self, "commit", began);
              done(std::move(image_id));
            },
            [done](caf::error& err) mutable { done(std::move(err)); });
  };
  if (!req.pause || st.rec.status != container_status::running || st.stopping) return store(false);
  // As dockerd, a commit whose pause fails goes on with the container running.
  set_paused(self, true, [self, store](caf::error err) mutable {
    if (err)
      lg.warn("could not pause a container for a commit",
              {{"id", self->state.rec.id}, {"error", error_message(err)}});
    store(!err);
  });
}

} // namespace berth::actors
